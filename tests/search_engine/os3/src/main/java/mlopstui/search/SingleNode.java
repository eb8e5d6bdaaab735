package mlopstui.search;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.opensearch.Version;
import org.opensearch.analysis.common.CommonAnalysisModulePlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasModulePlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginInfo;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * A single-node OpenSearch 3.x in this JVM, for tests (../src holds the 2.19 one: 3.x renamed the module
 * plugins and takes class-path plugins as PluginInfo).
 *
 * <p>Usage: {@code SingleNode <home-dir>}. Data, logs and the address file live under the home
 * directory. HTTP binds to an ephemeral port on 127.0.0.1; once the node has started, the bound
 * address is written to {@code <home>/http.address} (written to a temporary name, then moved, so a
 * reader never sees half of it). The node stops when standard input reaches end of file, which is
 * what happens when the process that started it exits for any reason, or on SIGTERM.
 */
public final class SingleNode {

    /** Node subclass only to reach the constructor that takes class-path plugins. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, List<Class<? extends Plugin>> plugins) {
            super(environment, plugins.stream()
                .map(p -> new PluginInfo(p.getName(), "classpath plugin", "NA", Version.CURRENT, "21", p.getName(),
                    java.util.Collections.emptyList(), false))
                .toList(), true);
        }
    }

    /** Engine logs go to standard output, which the test fixture sends to a file. */
    private static final String LOG_CONFIG = String.join("\n",
        "status = error",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1}] [%node_name]%marker %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.console.ref = console",
        "logger.deprecation.name = org.opensearch.deprecation",
        "logger.deprecation.level = warn",
        "");

    private SingleNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SingleNode <home-dir>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));

        Settings settings = Settings.builder()
            .put("cluster.name", "mlops-tui-tests")
            .put("node.name", "search-engine-0")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "0")
            .put("transport.port", "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // A nearly full disk on a shared machine must not turn indices read-only mid-test.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("node.store.allow_mmap", true)
            .put("indices.breaker.total.use_real_memory", false)
            .build();

        Files.writeString(home.resolve("config").resolve("log4j2.properties"), LOG_CONFIG,
            StandardCharsets.UTF_8);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, java.util.Map.of(), home.resolve("config"), () -> "search-engine-0");
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName("search-engine-0");
        LogConfigurator.configure(environment);
        List<Class<? extends Plugin>> plugins =
            List.of(Netty4ModulePlugin.class, CommonAnalysisModulePlugin.class, MapperExtrasModulePlugin.class);
        Node node = new EmbeddedNode(environment, plugins);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node), "search-engine-shutdown"));
        node.start();

        TransportAddress bound = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress();
        String url = "http://" + bound.getAddress() + ":" + bound.getPort();
        Path tmp = home.resolve("http.address.tmp");
        Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, home.resolve("http.address"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("search-engine listening on " + url);
        System.out.flush();

        waitForEndOfInput(System.in);
        System.exit(0); // runs the shutdown hook, which closes the node
    }

    private static void waitForEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Anything written to stdin is ignored; only end of file matters.
            }
        } catch (IOException ignored) {
            // A broken pipe means the parent went away: stop, as on end of file.
        }
    }

    private static void stop(Node node) {
        try {
            node.close();
            node.awaitClose(20, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            System.err.println("search-engine: error while stopping: " + e);
        }
    }
}
