package io.chorus.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of docs/architecture.md, checked on the compiled classes (a grep would miss a use without an
 * import, and lmdbjava is on the coordinator's class path through storage, so a wrong import would compile).
 */
class ModuleRulesTest {

    private static JavaClasses classes;

    /** Each module's packages and the chorus modules it may use, besides itself. */
    private static final Map<String, List<String>> ALLOWED = Map.of(
            "core", List.of(),
            "ring", List.of("core"),
            "gossip", List.of("core", "ring"),
            "storage", List.of("core"),
            "transport", List.of("core"),
            "client", List.of("core", "ring", "transport"),
            "coordinator", List.of("core", "ring", "storage", "gossip"));

    private static final List<String> MODULES = List.of("core", "testkit", "ring", "gossip", "storage", "transport",
            "client", "coordinator", "server", "benchmarks");

    @BeforeAll
    static void importMainClasses() {
        // Main classes only: tests may use the testkit, and other modules' test jars are on this class path.
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(mainOnly).importPackages("io.chorus");
    }

    @Test
    void everyModulesMainClassesAreChecked() {
        // Rules over no classes would pass: make sure each module's classes were imported, and no test class.
        for (String c : List.of("core.NodeId", "ring.Ring", "gossip.Gossiper", "storage.LmdbStorageEngine",
                "transport.netty.ChorusServer", "client.ChorusClient", "coordinator.Coordinator", "server.ChorusNode")) {
            org.assertj.core.api.Assertions.assertThat(classes.contain("io.chorus." + c)).as(c).isTrue();
        }
        org.assertj.core.api.Assertions.assertThat(classes.contain("io.chorus.coordinator.SimCluster")).isFalse();
    }

    @Test
    void modulesUseOnlyTheModulesTheyMay() {
        ALLOWED.forEach((module, allowed) -> {
            for (String other : MODULES) {
                if (!other.equals(module) && !allowed.contains(other)) {
                    ArchRule rule = noClasses().that().resideInAPackage("io.chorus." + module + "..")
                            .should().dependOnClassesThat().resideInAPackage("io.chorus." + other + "..")
                            .because(module + " may use only " + allowed);
                    rule.check(classes);
                }
            }
        });
    }

    @Test
    void thePureModulesUseNeitherNettyNorLmdb() {
        for (String module : List.of("core", "ring", "gossip", "coordinator")) {
            noClasses().that().resideInAPackage("io.chorus." + module + "..")
                    .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.lmdbjava..")
                    .because(module + " talks to the network and the disk only through core's interfaces")
                    .check(classes);
        }
    }

    @Test
    void noModuleButTransportUsesNettyAndOnlyStorageUsesLmdb() {
        noClasses().that().resideInAnyPackage("io.chorus.storage..", "io.chorus.client..")
                .should().dependOnClassesThat().resideInAPackage("io.netty..").check(classes);
        noClasses().that().resideOutsideOfPackages("io.chorus.storage..", "io.chorus.benchmarks..")
                .should().dependOnClassesThat().resideInAPackage("org.lmdbjava..").check(classes);
    }

    /** The modules publish stats records; only the composition root binds them to a metrics registry. */
    @Test
    void onlyTheServerAndTheBenchmarksUseAMetricsLibrary() {
        noClasses().that().resideOutsideOfPackages("io.chorus.server..", "io.chorus.benchmarks..")
                .should().dependOnClassesThat().resideInAnyPackage("com.codahale.metrics..", "io.prometheus..")
                .check(classes);
    }
}
