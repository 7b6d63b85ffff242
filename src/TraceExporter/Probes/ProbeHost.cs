using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Strace;

namespace TraceExporter.Probes;

/// <summary>
/// Runs what the configuration asks for: plans it (<see cref="ProbePlanner"/>), keeps each group under a
/// <see cref="ChildSupervisor"/>, and applies a reloaded configuration with one rule for every probe: groups
/// whose plan is unchanged keep running, changed ones are restarted, removed ones stopped; metric families
/// keep their values while their shape is unchanged, and those no probe exports any more are removed.
/// Start-up waits until the probes are attached (or known to fail), so a systemd <c>Type=notify</c> READY
/// means "measuring".
/// </summary>
public sealed partial class ProbeHost : IHostedService, IDisposable
{
    private static readonly TimeSpan AttachWait = TimeSpan.FromSeconds(60);
    private readonly HostFacts _host;
    private readonly ChildProcessLauncher _launcher;
    private readonly SelfMetrics _self;
    private readonly MetricFamilySet _families;
    private readonly ProbeStates _states;
    private readonly BpftraceInfo _bpftrace;
    private readonly StraceMetrics _straceMetrics;
    private readonly CgroupSweeper _cgroups;
    private readonly CancellationTokenSource _sweeping = new();
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeHost> _logger;
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Running> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Running> _straces = new(StringComparer.Ordinal);
    private ExporterConfig _config;
    private Task _sweeper = Task.CompletedTask;
    private bool _stopped;

    public ProbeHost(
        ExporterConfig config,
        HostFacts host,
        ChildProcessLauncher launcher,
        SelfMetrics self,
        MetricFamilySet families,
        ProbeStates states,
        BpftraceInfo bpftrace,
        StraceMetrics straceMetrics,
        TimeProvider time,
        ILogger<ProbeHost> logger,
        CgroupSweeper? cgroups = null)
    {
        _cgroups = cgroups ?? new CgroupSweeper(null, config.Cgroups.SeriesGrace, time);
        _config = config;
        _host = host;
        _launcher = launcher;
        _self = self;
        _families = families;
        _states = states;
        _bpftrace = bpftrace;
        _straceMetrics = straceMetrics;
        _time = time;
        _logger = logger;
    }

    public ExporterConfig Config => _config;

    /// <summary>Each bpftrace group's running process: the group's name ("builtin" or the user probe's) and pid.</summary>
    public IReadOnlyList<(string Group, int ProcessId)> BpftraceProcesses
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups.Values.Select(g => (BpftraceGroup)g.Supervisor.Group)
                    .Where(g => g.ProcessId is not null)
                    .Select(g => (g.Name, g.ProcessId!.Value))];
            }
        }
    }

    /// <summary>The built-ins' bpftrace process, while one runs.</summary>
    public int? BuiltinProcessId => Builtins?.ProcessId;

    /// <summary>Each built-in probe in that process, with its program (to attribute the process's BPF programs).</summary>
    public IReadOnlyList<(string Probe, string Program)> BuiltinPrograms => Builtins?.Programs ?? [];

    private BpftraceGroup? Builtins
    {
        get
        {
            lock (_lock)
            {
                return _groups.GetValueOrDefault(ProbePlanner.BuiltinGroup)?.Supervisor.Group as BpftraceGroup;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_host.DropReasons is { } reasons)
        {
            LogDropReasons(reasons.Count, reasons.Source);
        }

        if (_host.RawTracepoints.Count > 0)
        {
            LogRawTracepoints(_host.RawTracepoints.Count);
        }
        else
        {
            LogClassicTracepoints(_host.RawTracepointsProblem ?? "");
        }

        await ApplyAsync(_config, cancellationToken).ConfigureAwait(false);
        if (_cgroups.Names is not null)
        {
            _sweeper = Task.Run(() => SweepAsync(_sweeping.Token), CancellationToken.None);
        }
    }

    /// <summary>Applies a new, already validated configuration.</summary>
    public async Task ReloadAsync(ExporterConfig next, CancellationToken cancellationToken)
    {
        await ApplyAsync(next, cancellationToken).ConfigureAwait(false);
        LogReloaded(next.SourcePath);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _stopped = true;
            await _sweeping.CancelAsync().ConfigureAwait(false);
            await _sweeper.ConfigureAwait(false);
            List<Running> all;
            lock (_lock)
            {
                all = [.. _groups.Values, .. _straces.Values];
                _groups.Clear();
                _straces.Clear();
            }

            await Task.WhenAll(all.Select(r => r.Supervisor.DisposeAsync().AsTask())).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    public void Dispose()
    {
        _applying.Dispose();
        _sweeping.Dispose();
    }

    /// <summary>Every <see cref="CgroupSweeper.Period"/>: series of cgroups gone past their grace period are removed.</summary>
    private async Task SweepAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_cgroups.Period, _time, stopping).ConfigureAwait(false);
                if (_cgroups.Sweep() is > 0 and var swept)
                {
                    LogCgroupsGone(swept, _cgroups.Grace.TotalSeconds);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogSweepFailed(e.Message);
            }
        }
    }

    private async Task ApplyAsync(ExporterConfig config, CancellationToken cancellationToken)
    {
        await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }

            var plans = ProbePlanner.Plan(config, _host, _bpftrace.Version);
            foreach (var probe in plans.Unavailable)
            {
                LogUnavailable(probe.Name, probe.Reason ?? "");
            }

            await StopStaleAsync(_groups, plans.Groups.ToDictionary(g => g.Name, g => g.Identity, StringComparer.Ordinal)).ConfigureAwait(false);
            await StopStaleAsync(_straces, config.StraceProbes.ToDictionary(p => p.Name, StraceIdentity, StringComparer.Ordinal)).ConfigureAwait(false);

            // What stays is unchanged: its families keep their shapes. What starts gets its families now.
            var wanted = plans.Groups.SelectMany(g => g.Members).SelectMany(m => m.Metrics.Select(x => x.Name).Concat(m.Lines.Select(l => l.Name)));
            var starting = new List<(GroupPlan Plan, GroupRouting Routing)>();
            lock (_lock)
            {
                foreach (var plan in plans.Groups.Where(p => !_groups.ContainsKey(p.Name)))
                {
                    starting.Add((plan, GroupRouting.Build(plan, _families, _self, _host, _bpftrace.Version, _cgroups)));
                }
            }

            _families.RetainOnly(wanted);
            _states.RetainOnly(plans.Groups.SelectMany(g => g.Members.Select(m => m.Name))
                .Concat(plans.Unavailable.Select(u => u.Name))
                .Concat(config.StraceProbes.Select(p => p.Name)));
            foreach (var probe in plans.Unavailable)
            {
                _states.Set(probe.Name, probe.Source, ProbeStatus.Failed, probe.Reason);
            }

            if (starting.Count > 0)
            {
                ReturnStartupGarbage();
            }

            var started = new List<BpftraceGroup>();
            lock (_lock)
            {
                _config = config;
                foreach (var (plan, routing) in starting)
                {
                    var group = new BpftraceGroup(plan, routing, new BpftraceRunner(_launcher, plan.BpftracePath), _states, _self, _time, _logger);
                    var supervisor = new ChildSupervisor(group, plan.Backoff, _time, _logger);
                    _groups[plan.Name] = new Running(plan.Identity, supervisor);
                    supervisor.Start();
                    started.Add(group);
                }

                foreach (var settings in config.StraceProbes.Where(p => !_straces.ContainsKey(p.Name)))
                {
                    var runner = new StraceProbeRunner(settings, _straceMetrics, _launcher, _logger, _time,
                        onState: state => _states.Set(state.Name, state.Source, state.Status, state.Reason));
                    var supervisor = new ChildSupervisor(runner, RestartBackoff.Default, _time, _logger);
                    _straces[settings.Name] = new Running(StraceIdentity(settings), supervisor);
                    supervisor.Start();
                }
            }

            await WaitForAttachAsync(started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>Stops and forgets the running children whose name is gone or whose identity changed.</summary>
    private async Task StopStaleAsync(Dictionary<string, Running> running, Dictionary<string, string> wanted)
    {
        List<Running> stale;
        lock (_lock)
        {
            stale = [.. running.Where(r => !wanted.TryGetValue(r.Key, out var identity) || identity != r.Value.Identity).Select(r => r.Value)];
            foreach (var name in running.Where(r => stale.Contains(r.Value)).Select(r => r.Key).ToList())
            {
                running.Remove(name);
            }
        }

        await Task.WhenAll(stale.Select(r => r.Supervisor.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    private async Task WaitForAttachAsync(List<BpftraceGroup> started, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(AttachWait);
        try
        {
            await Task.WhenAll(started.Select(g => g.FirstAttemptSettled)).WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogSlowAttach(AttachWait.TotalSeconds);
        }
    }

    /// <summary>
    /// New programs were generated: what generating them read (the kernel's BTF, the configuration's YAML)
    /// is garbage now. One compacting collection gives it back to the system before bpftrace starts compiling
    /// (the daemon's memory at its highest), instead of waiting for allocation pressure, which a steady daemon
    /// seldom builds up. Only when something starts: a reload that changes nothing costs no collection.
    /// </summary>
    private static void ReturnStartupGarbage()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static string StraceIdentity(StraceProbeSettings p) =>
        string.Join('\n', [p.TargetKind.ToString(), p.Target, p.StracePath, p.PollInterval.ToString(), $"{p.MaxProcesses}/{p.SeriesLimit}", .. p.Arguments, "--", .. p.Filters]);

    private sealed record Running(string Identity, ChildSupervisor Supervisor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drop reasons: {Count} names from {Source}")]
    private partial void LogDropReasons(int count, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built-in probes attach to typed raw tracepoints ({Count} listed by bpftrace)")]
    private partial void LogRawTracepoints(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built-in probes attach to classic tracepoints: {Reason}. The kernel skips their events while another BPF program or a BPF map syscall holds the CPU's guard, and counts them in trace_exporter_probe_missed_events_total (bpftrace 0.24+ avoids this with raw tracepoints)")]
    private partial void LogClassicTracepoints(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Probe {Probe} cannot run on this host: {Reason}")]
    private partial void LogUnavailable(string probe, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probes not attached after {Seconds} s; serving metrics meanwhile")]
    private partial void LogSlowAttach(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} cgroup(s) gone for over {Seconds:F0} s: their series are removed")]
    private partial void LogCgroupsGone(int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for cgroups that are gone failed: {Problem}")]
    private partial void LogSweepFailed(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded from {Path}")]
    private partial void LogReloaded(string path);
}
