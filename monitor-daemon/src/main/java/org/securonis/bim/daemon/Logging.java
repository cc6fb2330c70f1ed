package org.securonis.bim.daemon;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * The daemon's logs under {@code log_dir}: {@code binary_integrity_monitor.log} (the standard log) and
 * {@code binary_integrity_alerts.log} (one ECS JSON object per line, logger {@value #ALERTS}); both roll over at
 * 50 MB keeping ten compressed files, and warnings also go to stderr (the journal under systemd).
 */
final class Logging {

    /** The logger whose messages are the alert log's lines, verbatim. */
    static final String ALERTS = "bim.alerts";

    private Logging() {
    }

    /** Replaces the built-in stderr-only configuration with the daemon's files. */
    static void configure(Path logDir, String level) {
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setStatusLevel(Level.WARN);
        b.setConfigurationName("bim-daemon");
        b.add(rolling(b, "main", logDir.resolve("binary_integrity_monitor.log"),
                "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}{UTC} %-5level [%t] %c{1}: %msg%n%throwable"));
        b.add(rolling(b, "alerts", logDir.resolve("binary_integrity_alerts.log"), "%msg%n"));
        b.add(b.newAppender("stderr", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", "bim: %level: %msg%n"))
                .add(b.newFilter("ThresholdFilter", "ACCEPT", "DENY").addAttribute("level", Level.WARN)));
        b.add(b.newLogger(ALERTS, Level.INFO).addAttribute("additivity", false).add(b.newAppenderRef("alerts")));
        b.add(b.newRootLogger(Level.toLevel(level, Level.INFO))
                .add(b.newAppenderRef("main"))
                .add(b.newAppenderRef("stderr")));
        Configurator.reconfigure(b.build());
    }

    private static AppenderComponentBuilder rolling(ConfigurationBuilder<BuiltConfiguration> b, String name, Path file,
            String pattern) {
        ComponentBuilder<?> policies = b.newComponent("Policies")
                .addComponent(b.newComponent("SizeBasedTriggeringPolicy").addAttribute("size", "50MB"));
        return b.newAppender(name, "RollingFile")
                .addAttribute("fileName", file.toString())
                .addAttribute("filePattern", file + ".%i.gz")
                .addAttribute("immediateFlush", true)
                .addAttribute("filePermissions", "rw-------")
                .add(b.newLayout("PatternLayout").addAttribute("pattern", pattern).addAttribute("charset", "UTF-8"))
                .addComponent(policies)
                .addComponent(b.newComponent("DefaultRolloverStrategy").addAttribute("max", "10"));
    }

    /** Flushes and stops logging; the last step of an orderly stop. */
    static void shutdown() {
        org.apache.logging.log4j.LogManager.shutdown();
    }
}
