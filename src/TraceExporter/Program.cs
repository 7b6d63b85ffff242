using System.CommandLine;
using TraceExporter;

var configFile = new Option<string>("--config.file")
{
    Description = "Path to the YAML configuration file.",
    DefaultValueFactory = _ => "/etc/trace-exporter/trace-exporter.yaml",
};
var listenAddress = new Option<string>("--web.listen-address")
{
    Description = $"Address to serve metrics on, HOST:PORT or :PORT (default :{TraceExporter.Web.ListenAddress.DefaultPort}).",
    DefaultValueFactory = _ => $":{TraceExporter.Web.ListenAddress.DefaultPort}",
};
var telemetryPath = new Option<string>("--web.telemetry-path")
{
    Description = "Path under which to expose metrics.",
    DefaultValueFactory = _ => "/metrics",
};
var logLevel = new Option<string>("--log.level")
{
    Description = "Only log messages with the given severity or above: debug, info, warn, error.",
    DefaultValueFactory = _ => "info",
};
logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");
var webConfigFile = new Option<string?>("--web.config.file")
{
    Description = "Exporter-toolkit web configuration (tls_server_config, basic_auth_users): TLS and basic authentication.",
};
var enableLifecycle = new Option<bool>("--web.enable-lifecycle")
{
    Description = "Enable POST /-/reload (SIGHUP always reloads).",
};

var root = new RootCommand("TraceExporter: bpftrace probes as Prometheus metrics.")
{
    configFile,
    listenAddress,
    telemetryPath,
    logLevel,
    enableLifecycle,
    webConfigFile,
};
root.SetAction((parse, cancellationToken) => Daemon.RunAsync(
    new DaemonOptions(
        parse.GetValue(configFile)!,
        parse.GetValue(listenAddress)!,
        parse.GetValue(telemetryPath)!,
        parse.GetValue(logLevel)!,
        parse.GetValue(enableLifecycle),
        parse.GetValue(webConfigFile)),
    cancellationToken));

// Subcommands: one file each under Cli/, one line each here.
// (subcommands)
root.Subcommands.Add(OnceCommand.Create());
root.Subcommands.Add(GuardCommand.Create());
root.Subcommands.Add(CheckCommand.Create());

// The host handles SIGTERM/SIGINT itself (and tells systemd it is stopping): keep System.CommandLine out of it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
