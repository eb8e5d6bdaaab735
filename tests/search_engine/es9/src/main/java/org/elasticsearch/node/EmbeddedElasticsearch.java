package org.elasticsearch.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.transport.TransportAddress;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import mlopstui.search.RootInfoPlugin;

/**
 * A single-node Elasticsearch 8 in this JVM, for tests.
 *
 * <p>Usage: {@code EmbeddedElasticsearch <home-dir>}. Lives in {@code org.elasticsearch.node} to
 * reach {@link NodeConstruction}, whose plugin service is replaced by one that takes plugins from
 * the class path (Netty4 HTTP). The bound HTTP address is written to {@code <home>/http.address};
 * the node stops when standard input reaches end of file or on SIGTERM.
 */
public final class EmbeddedElasticsearch extends Node {

    private static final String LOG_CONFIG = String.join("\n",
        "status = error",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1}] [%node_name]%marker %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.console.ref = console",
        "");

    EmbeddedElasticsearch(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment,
            org.elasticsearch.plugins.PluginsLoader.createPluginsLoader(java.util.Set.of(), java.util.Set.of(), Map.of(), false),
            new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, org.elasticsearch.plugins.PluginsLoader loader) {
                return new MockPluginsService(env.settings(), env, plugins);
            }
        }, true));
    }

    public static void main(String[] args) throws Exception {
        java.io.PrintStream out = System.out;  // ES replaces the standard streams: a failure to start would go unsaid
        try {
            start(args);
        } catch (Throwable t) {
            t.printStackTrace(out);
            out.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    static void start(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: EmbeddedElasticsearch <home-dir>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config").resolve("log4j2.properties"), LOG_CONFIG,
            StandardCharsets.UTF_8);

        Settings settings = Settings.builder()
            .put("cluster.name", "mlops-tui-tests")
            .put("node.name", "search-engine-es-0")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "0")
            .put("transport.port", "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("indices.breaker.total.use_real_memory", false)
            .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), home.resolve("config"), () -> "search-engine-es-0");
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName("search-engine-es-0");
        LogConfigurator.configure(environment, false);

        Node node = new EmbeddedElasticsearch(environment, List.of(Netty4Plugin.class, RootInfoPlugin.class));
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
        System.exit(0);
    }

    private static void waitForEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Only end of file matters.
            }
        } catch (IOException ignored) {
            // The parent went away: stop.
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
