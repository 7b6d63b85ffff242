using Microsoft.Extensions.Logging;
using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>
/// Keeps one bpftrace process running for a group of probes. All built-ins share one process, because each
/// bpftrace holds about 100 MB while compiling (36 MB after); when the shared program cannot attach, every
/// member is tried alone to find the ones this host cannot run, and the rest go on without them. A process that ends is started again
/// with <see cref="RestartBackoff"/>, and its members' counters continue from where they were.
/// </summary>
public sealed partial class ProbeGroupRunner
{
    private readonly IReadOnlyList<ProbeMember> _members;
    private readonly BpftraceRunner _bpftrace;
    private readonly SelfMetrics _self;
    private readonly TimeSpan _interval;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly TimeProvider _time;
    private readonly RestartBackoff _backoff;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _pageOutProblemLogged;

    public ProbeGroupRunner(
        string name,
        IReadOnlyList<ProbeMember> members,
        BpftraceRunner bpftrace,
        SelfMetrics self,
        TimeSpan interval,
        IReadOnlyDictionary<string, string?> environment,
        TimeProvider time,
        RestartBackoff backoff,
        ILogger logger)
    {
        Name = name;
        _members = members;
        _bpftrace = bpftrace;
        _self = self;
        _interval = interval;
        _environment = environment;
        _time = time;
        _backoff = backoff;
        _logger = logger;
    }

    public string Name { get; }

    public IReadOnlyList<ProbeMember> Members => _members;

    /// <summary>The running bpftrace's process id, or null between processes.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>Completes once the first start has attached, or every member has failed.</summary>
    public Task FirstAttemptSettled => _settled.Task;

    public async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        var restart = false;
        while (!stopping.IsCancellationRequested)
        {
            var active = _members.Where(m => m.Status != ProbeStatus.Failed).ToList();
            if (active.Count == 0)
            {
                _settled.TrySetResult();
                return;
            }

            foreach (var member in active)
            {
                member.StartGeneration();
                if (restart)
                {
                    _self.Restarts.WithLabels(member.Name).Inc();
                }
            }

            var run = await RunOnceAsync(active, stopping).ConfigureAwait(false);
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            if (!run.Attached && await FindFailingMembersAsync(active, run.Errors, stopping).ConfigureAwait(false))
            {
                restart = false; // what remains has not run yet: a first start, not a restart
                continue;
            }

            failures = run.Duration >= RestartBackoff.StableAfter ? 1 : failures + 1;
            var delay = _backoff.Delay(failures, Random.Shared.NextDouble());
            LogRestarting(Name, run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "killed", delay.TotalSeconds, run.Errors);
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            restart = true;
        }
    }

    private async Task<RunOutcome> RunOnceAsync(List<ProbeMember> active, CancellationToken stopping)
    {
        var program = ProgramAssembler.Assemble(active, _interval);
        LogStarting(Name, string.Join(", ", active.Select(m => m.Name)));
        LogProgram(Name, program);

        var sink = new ProbeGroupSink(Name, active, _self, _time, _logger);
        var errors = new StderrLog(Name, _logger);
        var started = _time.GetUtcNow();
        var running = _bpftrace.RunAsync(program, _environment, sink, errors.Add, pid => ProcessId = pid, stopping);

        await Task.WhenAny(sink.ReadyTask, running).ConfigureAwait(false);
        var attached = sink.ReadyTask.IsCompleted;
        if (attached)
        {
            foreach (var member in active)
            {
                member.Status = ProbeStatus.Up;
                member.Reason = null;
                _self.ProbeUp.WithLabels(member.Name).Set(1);
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
        foreach (var member in active)
        {
            member.Status = ProbeStatus.Restarting;
            _self.ProbeUp.WithLabels(member.Name).Set(0);
        }

        return new RunOutcome(attached, exitCode, _time.GetUtcNow() - started, errors.Summary());
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
    /// The shared program did not attach: run each member alone to see which this host cannot run.
    /// Returns true when at least one was found (and marked <see cref="ProbeStatus.Failed"/>).
    /// </summary>
    private async Task<bool> FindFailingMembersAsync(List<ProbeMember> active, string groupErrors, CancellationToken stopping)
    {
        if (active.Count == 1)
        {
            MarkFailed(active[0], groupErrors);
            return true;
        }

        var found = false;
        foreach (var member in active)
        {
            var problem = await ProbeTrial.RunAsync(_bpftrace, ProgramAssembler.Assemble([member], _interval), _environment, member.Name, _logger, stopping).ConfigureAwait(false);
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

    private void MarkFailed(ProbeMember member, string reason)
    {
        member.Status = ProbeStatus.Failed;
        member.Reason = string.IsNullOrWhiteSpace(reason) ? "bpftrace exited before attaching" : reason;
        _self.ProbeUp.WithLabels(member.Name).Set(0);
        LogProbeFailed(member.Name, member.Reason);
    }

    private readonly record struct RunOutcome(bool Attached, int? ExitCode, TimeSpan Duration, string Errors);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: bpftrace exited ({ExitCode}); starting again in {Seconds:F1} s. {Errors}")]
    private partial void LogRestarting(string group, string exitCode, double seconds, string errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Probe {Probe} cannot run on this host and is disabled: {Reason}")]
    private partial void LogProbeFailed(string probe, string reason);
}
