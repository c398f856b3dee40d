package io.chorus.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code chorus config example}: a commented node configuration file with every key and its default. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Node configuration files.",
        subcommands = ConfigCommand.Example.class)
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.EXIT_USAGE;
    }

    @Command(name = "example", mixinStandardHelpOptions = true,
            description = "Prints a commented config file with every key and its default.")
    static final class Example implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(NodeCommand.exampleConfig());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
