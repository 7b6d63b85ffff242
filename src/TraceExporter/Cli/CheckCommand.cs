using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter;

/// <summary>
/// <c>trace-exporter check --config.file PATH</c>: validates the configuration without serving — every mistake
/// as <c>file:line:column: message</c>, the same messages the daemon refuses to start with — then loads each
/// probe into the kernel just long enough to see it attach, and says which can run here.
/// Exit 0 when all is well, 2 for configuration mistakes, 3 for missing prerequisites, 1 when a probe cannot run.
/// </summary>
public static class CheckCommand
{
    public const int ExitProbeCannotRun = 1;

    public static Command Create()
    {
        var configFile = new Option<string>("--config.file")
        {
            Description = "Path to the YAML configuration file.",
            DefaultValueFactory = _ => "/etc/trace-exporter/trace-exporter.yaml",
        };
        var configOnly = new Option<bool>("--config.only")
        {
            Description = "Validate the file only; do not load the probes into the kernel.",
        };
        var command = new Command("check", "Validate a configuration and try every probe on this host.") { configFile, configOnly };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(configFile)!, parse.GetValue(configOnly), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string path, bool configOnly, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        ExporterConfig config;
        try
        {
            config = ConfigLoader.Load(path);
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                await errors.WriteLineAsync(error.ToString()).ConfigureAwait(false);
            }

            await errors.WriteLineAsync($"{path}: {e.Errors.Count} error(s)").ConfigureAwait(false);
            return Daemon.ExitConfigError;
        }

        await output.WriteLineAsync($"{path}: configuration is valid").ConfigureAwait(false);
        if (configOnly)
        {
            return 0;
        }

        using var launcher = new ChildProcessLauncher();
        var host = HostFacts.Discover();
        var prerequisites = await Prerequisites.CheckAsync(launcher, config.Bpftrace.Path, host, cancellationToken).ConfigureAwait(false);
        if (prerequisites.Problems.Count > 0)
        {
            foreach (var problem in prerequisites.Problems)
            {
                await errors.WriteLineAsync($"cannot check probes: {problem}").ConfigureAwait(false);
            }

            return Daemon.ExitPrerequisites;
        }

        var bpftrace = new BpftraceRunner(launcher, config.Bpftrace.Path);
        var failed = 0;
        async Task Report(string name, string? problem, string where)
        {
            if (problem is null)
            {
                await output.WriteLineAsync($"ok: probe {name} attaches on this host").ConfigureAwait(false);
            }
            else
            {
                failed++;
                await errors.WriteLineAsync($"{where}: probe '{name}' cannot run on this host: {problem}").ConfigureAwait(false);
            }
        }

        var scratch = new UserMetricSet();
        var self = new SelfMetrics(Prometheus.Metrics.NewCustomRegistry());
        var noEnvironment = new Dictionary<string, string?>();
        foreach (var probe in BuiltinProbeCatalogue.All.Where(p => config.Builtin is null || config.Builtin.GetValueOrDefault(p.Name)))
        {
            string? problem;
            try
            {
                var member = new BuiltinMember(probe, probe.BuildBlocks(host), new CumulativeCounterMap(ScratchCounter(probe), _ => ""));
                problem = await ProbeTrial.RunAsync(bpftrace, ProgramAssembler.Assemble([member], config.Interval), noEnvironment, probe.Name, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
            }
            catch (ProbeUnavailableException e)
            {
                problem = e.Message;
            }

            await Report(probe.Name, problem, path).ConfigureAwait(false);
        }

        foreach (var probe in config.Probes)
        {
            string? problem;
            try
            {
                var program = ProgramTemplate.Resolve(probe.Program, host);
                var member = new UserProbeMember(probe, program, scratch, self, host.DropReasons, prerequisites.BpftraceVersion!);
                problem = await ProbeTrial.RunAsync(bpftrace, ProgramAssembler.Assemble([member], probe.Interval ?? config.Interval), noEnvironment, probe.Name, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
            }
            catch (ProbeUnavailableException e)
            {
                problem = e.Message;
            }

            await Report(probe.Name, problem, $"{path}:{probe.Line}:{probe.Column}").ConfigureAwait(false);
        }

        return failed == 0 ? 0 : ExitProbeCannotRun;
    }

    private static Counter ScratchCounter(BuiltinProbe probe) =>
        Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()).CreateCounter(probe.MetricName, probe.Help, probe.LabelName);
}
