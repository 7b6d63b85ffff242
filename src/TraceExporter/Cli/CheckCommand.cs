using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
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
        if (await Startup.CheckHostAsync(config, launcher, errors, "cannot check probes", cancellationToken).ConfigureAwait(false) is not { } started)
        {
            return Daemon.ExitPrerequisites;
        }

        if (config.Builtins.Any(b => b.Enabled))
        {
            // Found at start (Startup): with attach: tracepoint the set is empty, and the reason says so.
            await output.WriteLineAsync(started.Host.RawTracepoints.Count > 0
                ? $"attach: the built-ins use typed raw tracepoints (bpftrace {started.BpftraceVersion})"
                : $"attach: the built-ins use classic tracepoints: {started.Host.RawTracepointsProblem} (events that arrive while another BPF program or a BPF map syscall runs on the CPU are skipped and counted in trace_exporter_probe_missed_events_total; bpftrace 0.24+ avoids this)").ConfigureAwait(false);
        }

        var failed = 0;
        var attach = new Dictionary<string, string>(StringComparer.Ordinal);
        async Task Report(string name, string? problem, string where)
        {
            if (problem is null)
            {
                var points = attach.GetValueOrDefault(name, "");
                await output.WriteLineAsync($"ok: probe {name} attaches on this host as {ProbeState.AttachTypes(points)} ({points})").ConfigureAwait(false);
            }
            else
            {
                failed++;
                await errors.WriteLineAsync($"{where}: probe '{name}' cannot run on this host: {problem}").ConfigureAwait(false);
            }
        }

        string Where(string probe) => config.Probes.FirstOrDefault(p => p.Name == probe) is { } user ? $"{path}:{user.Line}:{user.Column}" : path;

        // The same plan the daemon would run; each probe is loaded alone, with its group's settings.
        var plans = ProbePlanner.Plan(config, started.Host, started.BpftraceVersion);
        var results = new List<(string Name, string? Problem)>(plans.Unavailable.Select(u => (u.Name, u.Reason)));
        foreach (var group in plans.Groups)
        {
            var bpftrace = new BpftraceRunner(launcher, group.BpftracePath);
            foreach (var member in group.Members)
            {
                attach[member.Name] = member.Attach;
                var program = ProgramAssembler.Assemble([member], group.Interval).Text;
                var problem = await ProbeTrial.RunAsync(bpftrace, program, group.Arguments, group.Environment, member.Name, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
                if (problem is not null && group.Arguments.Contains(BpftraceGroup.HelperChecks) && problem.Contains("Error loading program", StringComparison.Ordinal))
                {
                    // As the daemon does: without -k, at the price of full maps going unreported on this bpftrace.
                    var without = group.Arguments.Where(a => a != BpftraceGroup.HelperChecks).ToList();
                    problem = await ProbeTrial.RunAsync(bpftrace, program, without, group.Environment, member.Name, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
                    if (problem is null)
                    {
                        await output.WriteLineAsync($"note: probe {member.Name} loads only without -k: bpftrace {started.BpftraceVersion} will not report updates that find its maps full").ConfigureAwait(false);
                    }
                }

                results.Add((member.Name, problem));
            }
        }

        // In the configuration's order: built-ins, then the user's probes.
        var order = config.Builtins.Select(b => b.Name).Concat(config.Probes.Select(p => p.Name)).ToList();
        foreach (var (name, problem) in results.OrderBy(r => order.IndexOf(r.Name)))
        {
            await Report(name, problem, Where(name)).ConfigureAwait(false);
        }

        return failed == 0 ? 0 : ExitProbeCannotRun;
    }
}
