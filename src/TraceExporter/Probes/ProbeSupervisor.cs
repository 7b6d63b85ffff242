using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Strace;

namespace TraceExporter.Probes;

/// <summary>
/// Owns the probes: decides which this host can run, keeps their bpftrace processes going, applies a
/// reloaded configuration, and answers what state each probe is in. Start-up waits until the probes are
/// attached (or known to fail), so a systemd <c>Type=notify</c> READY means "measuring".
/// </summary>
public sealed partial class ProbeSupervisor : IHostedService, IDisposable
{
    public const string BuiltinGroup = "builtin";
    private static readonly TimeSpan AttachWait = TimeSpan.FromSeconds(60);
    private readonly HostFacts _host;
    private readonly ChildProcessLauncher _launcher;
    private readonly SelfMetrics _self;
    private readonly UserMetricSet _userMetrics;
    private readonly BpftraceInfo _bpftrace;
    private readonly MetricFactory _factory;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ProbeSupervisor> _logger;
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly Dictionary<string, RunningGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningStrace> _straces = new(StringComparer.Ordinal);
    private readonly StraceMetrics _straceMetrics;
    private readonly Dictionary<string, CumulativeCounterMap> _builtinCounters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _upSeries = new(StringComparer.Ordinal);
    private List<ProbeState> _unavailable = [];
    private ExporterConfig _config;
    private bool _stopped;

    public ProbeSupervisor(
        ExporterConfig config,
        HostFacts host,
        ChildProcessLauncher launcher,
        SelfMetrics self,
        UserMetricSet userMetrics,
        BpftraceInfo bpftrace,
        StraceMetrics straceMetrics,
        CollectorRegistry registry,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<ProbeSupervisor> logger)
    {
        _config = config;
        _host = host;
        _launcher = launcher;
        _self = self;
        _userMetrics = userMetrics;
        _bpftrace = bpftrace;
        _straceMetrics = straceMetrics;
        _factory = Prometheus.Metrics.WithCustomRegistry(registry);

        // strace probes keep their own state: read it into probe_up at scrape time.
        registry.AddBeforeCollectCallback(() =>
        {
            lock (_groups)
            {
                foreach (var strace in _straces.Values)
                {
                    _self.ProbeUp.WithLabels(strace.Runner.State.Name).Set(strace.Runner.State.Status == ProbeStatus.Up ? 1 : 0);
                }
            }
        });
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The bpftrace process of the built-in probes, while one runs.</summary>
    public int? BuiltinProcessId => Group(BuiltinGroup)?.Runner.ProcessId;

    /// <summary>Each built-in probe in that process, with its program (to attribute the process's BPF programs).</summary>
    public IReadOnlyList<(string Probe, string Program)> BuiltinPrograms =>
        Group(BuiltinGroup)?.Runner.Members.Select(m => (m.Name, m.Program)).ToList() ?? [];

    /// <summary>Each probe group's running bpftrace: the group's name ("builtin" or the user probe's) and pid.</summary>
    public IReadOnlyList<(string Group, int ProcessId)> BpftraceProcesses
    {
        get
        {
            lock (_groups)
            {
                return _groups.Values
                    .Select(g => (g.Runner.Name, g.Runner.ProcessId))
                    .Where(g => g.ProcessId is not null)
                    .Select(g => (g.Name, g.ProcessId!.Value))
                    .ToList();
            }
        }
    }

    public ExporterConfig Config => _config;

    public IReadOnlyList<ProbeState> States
    {
        get
        {
            lock (_groups)
            {
                return _unavailable
                    .Concat(_groups.Values.SelectMany(g => g.Runner.Members.Select(m => new ProbeState(m.Name, m.Source, m.Status, m.Reason))))
                    .Concat(_straces.Values.Select(s => s.Runner.State))
                    .OrderBy(s => s.Name, StringComparer.Ordinal)
                    .ToList();
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_host.DropReasons is { } reasons)
        {
            LogDropReasons(reasons.Count, reasons.Source);
        }

        await ApplyAsync(_config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a new, already validated configuration: groups whose definition is unchanged keep running
    /// (and their counters), changed ones are restarted, removed ones stopped. Counters of probes that stay
    /// continue from their values.
    /// </summary>
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
            List<Task> stopping;
            lock (_groups)
            {
                stopping = [.. _groups.Values.Select(g => g.StopAsync()), .. _straces.Values.Select(s => s.StopAsync())];
            }

            await Task.WhenAll(stopping).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    public void Dispose()
    {
        foreach (var group in _groups.Values)
        {
            group.Dispose();
        }

        foreach (var strace in _straces.Values)
        {
            strace.Dispose();
        }

        _applying.Dispose();
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

            var (plans, unavailable) = Plan(config);
            ReturnStartupGarbage();
            var stale = new List<RunningGroup>();
            lock (_groups)
            {
                foreach (var (name, group) in _groups)
                {
                    if (!plans.Any(p => p.Name == name && p.Identity == group.Identity))
                    {
                        stale.Add(group);
                    }
                }

                foreach (var group in stale)
                {
                    _groups.Remove(group.Runner.Name);
                }
            }

            await Task.WhenAll(stale.Select(g => g.StopAsync())).ConfigureAwait(false);
            foreach (var group in stale)
            {
                group.Dispose();
            }

            await ApplyStraceAsync(config).ConfigureAwait(false);
            var started = new List<RunningGroup>();
            lock (_groups)
            {
                _config = config;
                _unavailable = unavailable;
                foreach (var plan in plans.Where(p => !_groups.ContainsKey(p.Name)))
                {
                    var group = new RunningGroup(plan.Identity, plan.Create());
                    group.Start(RunGroupAsync);
                    _groups[plan.Name] = group;
                    started.Add(group);
                }
            }

            UpdateUpSeries(plans.SelectMany(p => p.MemberNames).Concat(unavailable.Select(u => u.Name)).Concat(config.StraceProbes.Select(p => p.Name)));
            _userMetrics.RetainOnly(config.Probes.SelectMany(p => p.Metrics.Select(m => m.Name).Concat(p.Lines.Select(l => l.Name))));
            await WaitForAttachAsync(started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    private async Task WaitForAttachAsync(List<RunningGroup> started, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(AttachWait);
        try
        {
            await Task.WhenAll(started.Select(g => g.Runner.FirstAttemptSettled)).WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogSlowAttach(AttachWait.TotalSeconds);
        }
    }

    /// <summary>
    /// The programs are generated: what generating them read (the kernel's BTF, the configuration's YAML)
    /// is garbage now. One compacting collection gives it back to the system before bpftrace starts compiling
    /// (the daemon's memory at its highest), instead of waiting for allocation pressure, which a steady daemon
    /// seldom builds up.
    /// </summary>
    private static void ReturnStartupGarbage()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Removes <c>probe_up</c> series of probes no longer configured; new ones start at 0.</summary>
    private void UpdateUpSeries(IEnumerable<string> names)
    {
        var current = names.ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _upSeries.Where(n => !current.Contains(n)).ToList())
        {
            _self.ProbeUp.RemoveLabelled(gone);
            _upSeries.Remove(gone);
        }

        foreach (var name in current.Where(_upSeries.Add))
        {
            _self.ProbeUp.WithLabels(name).Set(0);
        }
    }

    private (List<GroupPlan> Plans, List<ProbeState> Unavailable) Plan(ExporterConfig config)
    {
        var plans = new List<GroupPlan>();
        var unavailable = new List<ProbeState>();
        var builtins = new List<(BuiltinProbe Probe, IReadOnlyList<ProbeBlock> Blocks)>();
        foreach (var probe in BuiltinProbeCatalogue.All.Where(p => config.Builtin is null || config.Builtin.GetValueOrDefault(p.Name)))
        {
            try
            {
                builtins.Add((probe, probe.BuildBlocks(_host)));
            }
            catch (ProbeUnavailableException e)
            {
                unavailable.Add(new ProbeState(probe.Name, BuiltinGroup, ProbeStatus.Failed, e.Message));
                LogUnavailable(probe.Name, e.Message);
            }
        }

        if (builtins.Count > 0)
        {
            var settings = config.Bpftrace;
            var environment = BufferEnvironment(settings.BufferPages);
            var identity = string.Join('\n', [
                settings.Path, config.Interval.ToString(), settings.BufferPages?.ToString(CultureInfo.InvariantCulture) ?? "",
                settings.RestartDelay.ToString(), settings.RestartDelayMax.ToString(), .. builtins.Select(b => ProbeBlock.Render(b.Blocks))]);
            plans.Add(new GroupPlan(BuiltinGroup, identity, [.. builtins.Select(b => b.Probe.Name)], () =>
            {
                var members = builtins.Select(b => (ProbeMember)new BuiltinMember(b.Probe, b.Blocks, BuiltinCounter(b.Probe))).ToList();
                return new ProbeGroupRunner(
                    BuiltinGroup, members, new BpftraceRunner(_launcher, settings.Path), _self, config.Interval, environment, _time,
                    new RestartBackoff(settings.RestartDelay, settings.RestartDelayMax), _logger);
            }));
        }

        foreach (var probe in config.Probes)
        {
            string program;
            try
            {
                program = ProgramTemplate.Resolve(probe.Program, _host);
            }
            catch (ProbeUnavailableException e)
            {
                unavailable.Add(new ProbeState(probe.Name, "bpftrace", ProbeStatus.Failed, e.Message));
                LogUnavailable(probe.Name, e.Message);
                continue;
            }

            var settings = config.Bpftrace;
            var interval = probe.Interval ?? config.Interval;
            var identity = string.Join('\n', [settings.Path, interval.ToString(), settings.RestartDelay.ToString(), settings.RestartDelayMax.ToString(), UserProbeIdentity(probe)]);
            plans.Add(new GroupPlan(probe.Name, identity, [probe.Name], () =>
            {
                var member = new UserProbeMember(probe, program, _userMetrics, _self, _host.DropReasons, _bpftrace.Version);
                return new ProbeGroupRunner(
                    probe.Name, [member], new BpftraceRunner(_launcher, settings.Path), _self, interval, BufferEnvironment(probe.BufferPages), _time,
                    new RestartBackoff(settings.RestartDelay, settings.RestartDelayMax), _logger);
            }));
        }

        return (plans, unavailable);
    }

    /// <summary>Everything about a user probe that changes what runs or what is exported: equal text, equal probe.</summary>
    private static string UserProbeIdentity(UserProbeConfig probe) => string.Join('\n', [
        probe.Program, probe.BufferPages?.ToString(CultureInfo.InvariantCulture) ?? "",
        .. probe.Metrics.Select(m => string.Join('|', m.Map, m.Name, m.Help, m.Type, m.Scale.ToString("R", CultureInfo.InvariantCulture), m.SumMap, m.Update, m.SeriesLimit,
            string.Join(',', m.Labels.Select(l => $"{l.Name}:{l.Kind}")))),
        .. probe.Lines.Select(l => string.Join('|', l.Pattern.ToString(), l.Name, l.Help, l.SeriesLimit)),
    ]);

    /// <summary>strace probes: unchanged ones keep running, changed or removed ones stop, new ones start.</summary>
    private async Task ApplyStraceAsync(ExporterConfig config)
    {
        var wanted = config.StraceProbes.ToDictionary(p => p.Name, StraceIdentity, StringComparer.Ordinal);
        List<RunningStrace> stale;
        lock (_groups)
        {
            stale = [.. _straces.Values.Where(s => !wanted.TryGetValue(s.Runner.State.Name, out var identity) || identity != s.Identity)];
            foreach (var strace in stale)
            {
                _straces.Remove(strace.Runner.State.Name);
            }
        }

        await Task.WhenAll(stale.Select(s => s.StopAsync())).ConfigureAwait(false);
        foreach (var strace in stale)
        {
            strace.Dispose();
        }

        lock (_groups)
        {
            foreach (var settings in config.StraceProbes.Where(p => !_straces.ContainsKey(p.Name)))
            {
                var runner = new StraceProbeRunner(settings, _straceMetrics, _launcher, _logger, _time);
                _straces[settings.Name] = new RunningStrace(wanted[settings.Name], runner);
            }
        }
    }

    private static string StraceIdentity(StraceProbeSettings p) =>
        string.Join('\n', [p.TargetKind.ToString(), p.Target, p.StracePath, p.PollInterval.ToString(), $"{p.MaxProcesses}/{p.SeriesLimit}", .. p.Arguments, "--", .. p.Filters]);

    /// <summary>A strace probe's runner and the loop that drives it.</summary>
    private sealed class RunningStrace : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public RunningStrace(string identity, StraceProbeRunner runner)
        {
            Identity = identity;
            Runner = runner;
            _loop = Task.Run(() => runner.RunAsync(_stop.Token), CancellationToken.None);
        }

        public string Identity { get; }

        public StraceProbeRunner Runner { get; }

        public async Task StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        public void Dispose() => _stop.Dispose();
    }

    /// <summary>bpftrace reads the buffer size from the environment in every version (the config block only from 0.20).</summary>
    private static Dictionary<string, string?> BufferEnvironment(int? pages) =>
        pages is { } p ? new() { ["BPFTRACE_PERF_RB_PAGES"] = p.ToString(CultureInfo.InvariantCulture) } : [];

    /// <summary>One counter per built-in for the daemon's lifetime, so a reload never resets it.</summary>
    private CumulativeCounterMap BuiltinCounter(BuiltinProbe probe)
    {
        if (!_builtinCounters.TryGetValue(probe.Name, out var counter))
        {
            counter = new CumulativeCounterMap(_factory.CreateCounter(probe.MetricName, probe.Help, probe.LabelName), LabelFor(probe.KeyKind));
            _builtinCounters[probe.Name] = counter;
        }

        return counter;
    }

    private RunningGroup? Group(string name)
    {
        lock (_groups)
        {
            return _groups.GetValueOrDefault(name);
        }
    }

    private async Task RunGroupAsync(ProbeGroupRunner group, CancellationToken stopping)
    {
        try
        {
            await group.RunAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSupervisorCrashed(e, group.Name);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    private Func<NumericKey, string> LabelFor(KeyKind kind) => kind switch
    {
        KeyKind.Comm => key => LabelText.FromPackedName(key.First, key.Second),
        KeyKind.Interface => key => LabelText.FromPackedName(key.First, key.Second) is { Length: > 0 } name ? name : "unknown",
        KeyKind.DropReason => key => _host.DropReasons?.NameOf((long)key.First) ?? key.First.ToString(CultureInfo.InvariantCulture),
        _ => key => key.First.ToString(CultureInfo.InvariantCulture),
    };

    private sealed record GroupPlan(string Name, string Identity, IReadOnlyList<string> MemberNames, Func<ProbeGroupRunner> Create);

    /// <summary>A group's runner and the loop that drives it.</summary>
    private sealed class RunningGroup(string identity, ProbeGroupRunner runner) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public string Identity { get; } = identity;

        public ProbeGroupRunner Runner { get; } = runner;

        public void Start(Func<ProbeGroupRunner, CancellationToken, Task> run) =>
            _loop = Task.Run(() => run(Runner, _stop.Token), CancellationToken.None);

        public async Task StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        public void Dispose() => _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drop reasons: {Count} names from {Source}")]
    private partial void LogDropReasons(int count, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Probe {Probe} cannot run on this host: {Reason}")]
    private partial void LogUnavailable(string probe, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probes not attached after {Seconds} s; serving metrics meanwhile")]
    private partial void LogSlowAttach(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded from {Path}")]
    private partial void LogReloaded(string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The supervisor of {Group} failed; stopping")]
    private partial void LogSupervisorCrashed(Exception e, string group);
}
