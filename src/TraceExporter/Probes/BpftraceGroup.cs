using System.Globalization;
using Microsoft.Extensions.Logging;
using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>
/// One bpftrace process for a group of probes, run once per <see cref="RunOnceAsync"/>: all built-ins share
/// one process (each bpftrace holds about 100 MB while compiling, 36 MB after), each user probe has its own.
/// When the group's program cannot attach, every member is tried alone to find the ones this host cannot run;
/// those are reported failed and the rest go on without them. Its output goes through a
/// <see cref="ProbeRecordSink"/> to the metric families; their values continue across processes.
/// </summary>
public sealed partial class BpftraceGroup : IChildGroup
{
    /// <summary>bpftrace's flag for reporting failed helper calls (before 0.23 the only way to hear of a full map).</summary>
    public const string HelperChecks = "-k";

    private readonly GroupPlan _plan;
    private readonly GroupRouting _routing;
    private readonly BpftraceRunner _bpftrace;
    private readonly ProbeStates _states;
    private readonly SelfMetrics _self;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _failed = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _pageOutProblemLogged;
    private IReadOnlyList<string> _arguments;

    public BpftraceGroup(GroupPlan plan, GroupRouting routing, BpftraceRunner bpftrace, ProbeStates states, SelfMetrics self, TimeProvider time, ILogger logger)
    {
        _plan = plan;
        _routing = routing;
        _bpftrace = bpftrace;
        _states = states;
        _self = self;
        _time = time;
        _logger = logger;
        _arguments = plan.Arguments;
        foreach (var member in plan.Members)
        {
            states.Set(member.Name, member.Source, ProbeStatus.Starting, attach: member.Attach);
        }
    }

    public string Name => _plan.Name;

    public GroupPlan Plan => _plan;

    /// <summary>The running bpftrace's process id, or null between processes.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>The members' programs as the running process has them, to attribute its BPF programs.</summary>
    public IReadOnlyList<(string Probe, string Program)> Programs => [.. _plan.Members.Where(m => !_failed.Contains(m.Name)).Select(m => (m.Name, m.Text))];

    /// <summary>Completes once the first start has attached, or every member has failed.</summary>
    public Task FirstAttemptSettled => _settled.Task;

    public async Task<ChildRun> RunOnceAsync(bool restart, CancellationToken stopping)
    {
        var active = _plan.Members.Where(m => !_failed.Contains(m.Name)).ToList();
        if (active.Count == 0)
        {
            _settled.TrySetResult();
            return new ChildRun(ChildRunEnd.Finished, TimeSpan.Zero);
        }

        if (restart)
        {
            foreach (var member in active)
            {
                _self.Restarts.WithLabels(member.Name).Inc();
            }
        }

        var program = ProgramAssembler.Assemble(active, _plan.Interval);
        LogStarting(Name, string.Join(", ", active.Select(m => m.Name)));
        LogProgram(Name, program.Text);

        var sink = new ProbeRecordSink(_routing.ForProcess(_plan, active, program), _self, _time, _logger);
        var errors = new StderrLog(Name, _logger);
        var started = _time.GetUtcNow();
        var running = _bpftrace.RunAsync(program.Text, _arguments, _plan.Environment, sink, errors.Add, pid => ProcessId = pid, stopping);

        await Task.WhenAny(sink.Ready, running).ConfigureAwait(false);
        var attached = sink.Ready.IsCompleted;
        if (attached)
        {
            foreach (var member in active)
            {
                _states.Set(member.Name, member.Source, ProbeStatus.Up);
            }

            LogAttached(Name, active.Count, ProcessId ?? 0, (_time.GetUtcNow() - started).TotalMilliseconds);
            if (ProcessId is { } pid)
            {
                ReleaseCompilerMemory(pid);
            }

            _settled.TrySetResult();
        }

        var exitCode = await running.ConfigureAwait(false);
        ProcessId = null;
        if (stopping.IsCancellationRequested)
        {
            return new ChildRun(ChildRunEnd.Finished, _time.GetUtcNow() - started);
        }

        foreach (var member in active)
        {
            _states.Set(member.Name, member.Source, ProbeStatus.Restarting);
        }

        if (!attached && _arguments.Contains(HelperChecks) && errors.Summary().Contains("Error loading program", StringComparison.Ordinal))
        {
            // -k adds a check after every helper call; a program near the verifier's limits (a loop) may then not
            // load. Run it without: its full maps then go unreported, which bpftrace before 0.23 does by default.
            _arguments = [.. _arguments.Where(a => a != HelperChecks)];
            LogWithoutHelperChecks(Name);
            return new ChildRun(ChildRunEnd.Retry, _time.GetUtcNow() - started);
        }

        if (!attached && await FindFailingMembersAsync(active, errors.Summary(), stopping).ConfigureAwait(false))
        {
            return new ChildRun(ChildRunEnd.Retry, _time.GetUtcNow() - started);
        }

        var code = exitCode?.ToString(CultureInfo.InvariantCulture) ?? "killed";
        return new ChildRun(ChildRunEnd.Ended, _time.GetUtcNow() - started, $"bpftrace exited ({code}). {errors.Summary()}");
    }

    /// <summary>bpftrace has compiled and attached: its compiler's library pages are not needed again.</summary>
    private void ReleaseCompilerMemory(int pid)
    {
        var result = Kernel.ProcessPageOut.Run(pid);
        if (result.Problem is null)
        {
            LogPagedOut(Name, pid, result.ResidentBeforeKb / 1024.0, result.ResidentAfterKb / 1024.0);
        }
        else if (!_pageOutProblemLogged)
        {
            _pageOutProblemLogged = true;
            LogPageOutFailed(Name, result.Problem);
        }
    }

    /// <summary>
    /// The group's program did not attach: run each member alone to see which this host cannot run.
    /// Returns true when at least one was found (and marked <see cref="ProbeStatus.Failed"/>).
    /// </summary>
    private async Task<bool> FindFailingMembersAsync(List<ProbePlan> active, string groupErrors, CancellationToken stopping)
    {
        if (active.Count == 1)
        {
            MarkFailed(active[0], groupErrors);
            return true;
        }

        var found = false;
        foreach (var member in active)
        {
            var program = ProgramAssembler.Assemble([member], _plan.Interval).Text;
            var problem = await ProbeTrial.RunAsync(_bpftrace, program, _arguments, _plan.Environment, member.Name, _logger, stopping).ConfigureAwait(false);
            if (stopping.IsCancellationRequested)
            {
                return found;
            }

            if (problem is not null)
            {
                MarkFailed(member, problem);
                found = true;
            }
        }

        return found;
    }

    private void MarkFailed(ProbePlan member, string reason)
    {
        _failed.Add(member.Name);
        reason = string.IsNullOrWhiteSpace(reason) ? "bpftrace exited before attaching" : reason;
        _states.Set(member.Name, member.Source, ProbeStatus.Failed, reason);
        LogProbeFailed(member.Name, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting bpftrace for {Group}: {Probes}")]
    private partial void LogStarting(string group, string probes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Program for {Group}:\n{Program}")]
    private partial void LogProgram(string group, string program);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Group}: {Count} probe(s) attached (bpftrace pid {Pid}) in {Milliseconds:F0} ms")]
    private partial void LogAttached(string group, int count, int pid, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Group}: paged out bpftrace {Pid}'s compiler libraries, resident {BeforeMb:F0} MB -> {AfterMb:F0} MB")]
    private partial void LogPagedOut(string group, int pid, double beforeMb, double afterMb);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: bpftrace's compiler libraries (~70 MB) stay resident: {Problem}")]
    private partial void LogPageOutFailed(string group, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: the program does not load with -k (bpftrace's helper checks make it too large for the verifier); running it without, so this bpftrace (< 0.23) will not report updates that find its maps full")]
    private partial void LogWithoutHelperChecks(string group);

    [LoggerMessage(Level = LogLevel.Error, Message = "Probe {Probe} cannot run on this host and is disabled: {Reason}")]
    private partial void LogProbeFailed(string probe, string reason);
}
