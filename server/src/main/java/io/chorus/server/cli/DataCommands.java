package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.core.causal.VersionVector;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chorus put|get|delete}: a key's values from the command line, through any node. */
public final class DataCommands {

    private DataCommands() {
    }

    @Command(name = "get", description = "Prints every sibling of KEY and the context to write back with.",
            mixinStandardHelpOptions = true)
    public static final class Get implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            try (ChorusClient c = client.connect()) {
                ChorusObject o = c.get(key.getBytes(StandardCharsets.UTF_8), client.request());
                Printing.object(spec.commandLine().getOut(), o, client.json);
            }
            return 0;
        }
    }

    @Command(name = "put", description = {"Writes VALUE (or the bytes of --file) to KEY.",
        "Without --context the write is blind: it supersedes nothing and adds a sibling to what is there."},
            mixinStandardHelpOptions = true)
    public static final class Put implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "The value (or --file).")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "Write the bytes of FILE instead of VALUE.")
        Path file;

        @Option(names = "--context", paramLabel = "C", description = "The context a get printed: the write "
                + "supersedes what that read saw.")
        String context;

        @Override
        public Integer call() throws Exception {
            if ((text == null) == (file == null)) {
                throw new ParameterException(spec.commandLine(), "give either VALUE or --file FILE");
            }
            byte[] bytes = file != null ? Files.readAllBytes(file) : text.getBytes(StandardCharsets.UTF_8);
            VersionVector ctx = Printing.context(context);
            try (ChorusClient c = client.connect()) {
                ChorusObject o = c.put(key.getBytes(StandardCharsets.UTF_8), bytes, ctx, client.request());
                Printing.object(spec.commandLine().getOut(), o, client.json);
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Deletes what --context covers (a tombstone).",
            mixinStandardHelpOptions = true)
    public static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "KEY")
        String key;
        @Option(names = "--context", required = true, paramLabel = "C", description = "The context a get printed.")
        String context;

        @Override
        public Integer call() {
            try (ChorusClient c = client.connect()) {
                VersionVector after = c.delete(key.getBytes(StandardCharsets.UTF_8), Printing.context(context),
                        client.request());
                PrintWriter out = spec.commandLine().getOut();
                out.println(client.json ? "{\"deleted\":true,\"context\":\"" + Printing.context(after) + "\"}"
                        : "deleted; context: " + Printing.context(after));
            }
            return 0;
        }
    }
}
