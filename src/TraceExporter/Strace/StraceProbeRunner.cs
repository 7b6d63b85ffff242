using System.Collections.Concurrent;
using System.Globalization;
using CliWrap;
using Microsoft.Extensions.Logging;
using TraceExporter.Configuration;
using TraceExporter.Probes;
using TraceExporter.Metrics;

namespace TraceExporter.Strace;

/// <summary>
/// Runs one strace probe until stopped: for a pid, one strace attached to it; for a name, one strace per
/// matching process, and every <see cref="StraceProbeSettings.PollInterval"/> another for each new one; for a
/// command, the command under strace once per run (its <see cref="ChildSupervisor"/> starts it again, with backoff, when it ends). Every finished call counts in
/// <see cref="StraceMetrics"/>. A target that exits is logged; a pid target is then done.
/// </summary>
public sealed partial class StraceProbeRunner : IChildGroup
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(3);
    private readonly StraceProbeSettings _settings;
    private readonly StraceMetrics _metrics;
    private readonly ChildProcessLauncher _launcher;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ProcessNameScan _scan;
    private readonly ConcurrentDictionary<int, Task> _attached = new();
    private readonly ConcurrentDictionary<int, bool> _live = new();
    private readonly Action<ProbeState>? _onState;
    private readonly HashSet<int> _skipped = [];
    private volatile ProbeState _state;

    public StraceProbeRunner(
        StraceProbeSettings settings,
        StraceMetrics metrics,
        ChildProcessLauncher launcher,
        ILogger logger,
        TimeProvider? time = null,
        string procRoot = "/proc",
        Action<ProbeState>? onState = null)
    {
        _settings = settings;
        _metrics = metrics;
        _launcher = launcher;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _scan = new ProcessNameScan(procRoot);
        _onState = onState;
        _state = new ProbeState(settings.Name, "strace", ProbeStatus.Starting, null);
        onState?.Invoke(_state);
        metrics.SetSeriesLimit(settings.Name, settings.SeriesLimit);
    }

    /// <summary>What the landing page and /healthz show; <see cref="ProbeState.Source"/> is "strace".</summary>
    public ProbeState State => _state;

    /// <summary>The pids strace has attached to and still traces (name and pid targets), or the strace running the command.</summary>
    public IReadOnlyCollection<int> AttachedPids => [.. _live.Keys];

    /// <summary>Lines of strace output that could not be parsed, over the probe's life.</summary>
    public int UnrecognizedLines => _unrecognized;

    private int _unrecognized;

    public string Name => _settings.Name;

    /// <summary>Follows the target until it is done or <paramref name="stopping"/> is cancelled (one run: see <see cref="RunOnceAsync"/>).</summary>
    public Task RunAsync(CancellationToken stopping) => RunOnceAsync(false, stopping);

    /// <summary>
    /// One run under a <see cref="ChildSupervisor"/>: a pid target until the process exits, a name target until
    /// stopped, a command once: it <see cref="ChildRunEnd.Ended"/> when the command does, and the supervisor
    /// starts it again with its backoff.
    /// </summary>
    public async Task<ChildRun> RunOnceAsync(bool restart, CancellationToken stopping)
    {
        var started = _time.GetUtcNow();
        var strace = StraceRunner.Resolve(_settings.StracePath);
        if (strace is null)
        {
            SetState(ProbeStatus.Failed, $"strace not found: '{_settings.StracePath}' is not an executable file or on PATH");
            LogFailed(_settings.Name, _state.Reason!);
            return new ChildRun(ChildRunEnd.Finished, TimeSpan.Zero);
        }

        var runner = new StraceRunner(_launcher, strace);
        switch (_settings.TargetKind)
        {
            case StraceTargetKind.Pid:
                await RunPidAsync(runner, int.Parse(_settings.Target, CultureInfo.InvariantCulture), stopping).ConfigureAwait(false);
                break;
            case StraceTargetKind.Name:
                await RunNameAsync(runner, stopping).ConfigureAwait(false);
                break;
            default:
                return await RunCommandOnceAsync(runner, started, stopping).ConfigureAwait(false);
        }

        return new ChildRun(ChildRunEnd.Finished, _time.GetUtcNow() - started);
    }

    private async Task RunPidAsync(StraceRunner runner, int pid, CancellationToken stopping)
    {
        if (!Directory.Exists($"/proc/{pid}"))
        {
            SetState(ProbeStatus.Failed, $"no process with pid {pid}");
            LogFailed(_settings.Name, _state.Reason!);
            return;
        }

        var attempt = await AttachAsync(runner, pid, onAttached: () => SetState(ProbeStatus.Up, null), stopping).ConfigureAwait(false);
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        SetState(ProbeStatus.Failed, attempt.Attached ? $"pid {pid} {attempt.Describe()}; a pid target is not followed further" : attempt.Error);
        LogFailed(_settings.Name, _state.Reason!);
    }

    private async Task RunNameAsync(StraceRunner runner, CancellationToken stopping)
    {
        SetState(ProbeStatus.Starting, $"waiting for a process named '{_settings.Target}'");
        while (!stopping.IsCancellationRequested)
        {
            var found = _scan.Find(_settings.Target);
            _skipped.IntersectWith(found); // forget those that are gone
            foreach (var pid in found)
            {
                if (_attached.ContainsKey(pid))
                {
                    continue;
                }

                if (_attached.Count >= _settings.MaxProcesses)
                {
                    // Any user can start processes of this name: each would be one more root strace.
                    if (_skipped.Add(pid))
                    {
                        _metrics.ProcessesSkipped.WithLabels(_settings.Name).Inc();
                        LogAtCapacity(_settings.Name, pid, _settings.MaxProcesses);
                    }

                    continue;
                }

                _skipped.Remove(pid);

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _attached[pid] = done.Task;
                _ = Task.Run(
                    async () =>
                    {
                        var attempt = await AttachAsync(runner, pid, () => SetState(ProbeStatus.Up, null), stopping).ConfigureAwait(false);
                        _attached.TryRemove(pid, out _);
                        if (attempt.Attached)
                        {
                            LogTargetExited(_settings.Name, pid, attempt.Describe());
                        }
                        else if (attempt.IsRejection && Directory.Exists($"/proc/{pid}"))
                        {
                            // The process is there and strace still refused: the filter or strace itself is at fault.
                            SetState(ProbeStatus.Failed, attempt.Error);
                        }

                        if (_live.IsEmpty && _state.Status == ProbeStatus.Up && !stopping.IsCancellationRequested)
                        {
                            SetState(ProbeStatus.Starting, $"waiting for a process named '{_settings.Target}'");
                        }

                        done.SetResult();
                    },
                    CancellationToken.None);
            }

            if (_state.Status == ProbeStatus.Failed)
            {
                LogFailed(_settings.Name, _state.Reason!);
                break;
            }

            try
            {
                await Task.Delay(_settings.PollInterval, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(_attached.Values).ConfigureAwait(false);
    }

    private async Task<ChildRun> RunCommandOnceAsync(StraceRunner runner, DateTimeOffset started, CancellationToken stopping)
    {
        var attempt = await LaunchAsync(runner, stopping).ConfigureAwait(false);
        if (stopping.IsCancellationRequested)
        {
            return new ChildRun(ChildRunEnd.Finished, _time.GetUtcNow() - started);
        }

        if (!attempt.Attached)
        {
            SetState(ProbeStatus.Failed, attempt.Error);
            LogFailed(_settings.Name, attempt.Error);
            return new ChildRun(ChildRunEnd.Finished, _time.GetUtcNow() - started);
        }

        SetState(ProbeStatus.Restarting, $"command {attempt.Describe()}");
        return new ChildRun(ChildRunEnd.Ended, _time.GetUtcNow() - started, $"strace probe {_settings.Name}: command {attempt.Describe()}");
    }

    private async Task<Attempt> AttachAsync(StraceRunner runner, int pid, Action onAttached, CancellationToken stopping)
    {
        var attempt = new Attempt(pid);
        var invocation = new StraceInvocation(output => StraceCommandLine.ForPid(output, _settings.Filters, pid))
        {
            StandardError = PipeTarget.ToDelegate(line =>
            {
                if (line.EndsWith(" attached", StringComparison.Ordinal) && line.Contains($"Process {pid} ", StringComparison.Ordinal))
                {
                    attempt.Attached = true;
                    _live[pid] = true;
                    LogAttached(_settings.Name, pid);
                    onAttached();
                }
                else
                {
                    attempt.Note(line);
                }
            }),
        };
        await RunStraceAsync(runner, invocation, attempt, stopping).ConfigureAwait(false);
        _live.TryRemove(pid, out _);
        return attempt;
    }

    private async Task<Attempt> LaunchAsync(StraceRunner runner, CancellationToken stopping)
    {
        var attempt = new Attempt(0);
        var invocation = new StraceInvocation(output => StraceCommandLine.ForCommand(output, _settings.Filters, _settings.Target, _settings.Arguments))
        {
            NewSession = true,
            OnStarted = pid =>
            {
                attempt.TopPid = pid; // under setsid strace keeps its pid; the command is its first child
                _live[pid] = true;
                SetState(ProbeStatus.Up, null);
            },
            StandardOutput = PipeTarget.ToDelegate(line => LogCommandOutput(_settings.Name, line)),
            StandardError = PipeTarget.ToDelegate(line =>
            {
                attempt.Note(line);
                LogCommandOutput(_settings.Name, line);
            }),
        };
        await RunStraceAsync(runner, invocation, attempt, stopping).ConfigureAwait(false);
        _live.TryRemove(attempt.TopPid, out _);
        return attempt;
    }

    private async Task RunStraceAsync(StraceRunner runner, StraceInvocation invocation, Attempt attempt, CancellationToken stopping)
    {
        using var forceful = new CancellationTokenSource();
        using var escalate = stopping.Register(() => forceful.CancelAfter(ShutdownGrace));
        var exit = await runner.RunAsync(
            invocation,
            ev =>
            {
                switch (ev)
                {
                    case SyscallEvent call:
                        _metrics.Count(_settings.Name, call);
                        attempt.Attached = true;
                        break;
                    case ProcessExitEvent exited:
                        attempt.OnExit(exited);
                        break;
                    case UnrecognizedLine:
                        _metrics.LinesSkipped.WithLabels(_settings.Name, "unrecognized").Inc();
                        break;
                    case TooLongLine:
                        _metrics.LinesSkipped.WithLabels(_settings.Name, "too_long").Inc();
                        break;
                }
            },
            stopping,
            forceful.Token).ConfigureAwait(false);
        Interlocked.Add(ref _unrecognized, exit.UnrecognizedLines);
        attempt.StraceExitCode = exit.ExitCode;
    }

    private void SetState(ProbeStatus status, string? reason)
    {
        _state = _state with { Status = status, Reason = reason };
        _onState?.Invoke(_state);
    }

    /// <summary>What one strace process saw: whether it attached (or its command ran), how the target ended, and strace's complaints.</summary>
    private sealed class Attempt(int pid)
    {
        private readonly List<string> _errors = [];

        public int Pid { get; } = pid;

        public int TopPid { get; set; }

        public bool Attached { get; set; }

        public ProcessExitEvent? TargetExit { get; private set; }

        public int? StraceExitCode { get; set; }

        /// <summary>strace refused before attaching (bad filter, no permission, no such process).</summary>
        public bool IsRejection => !Attached && _errors.Count > 0;

        public string Error
        {
            get
            {
                lock (_errors)
                {
                    return _errors.Count > 0 ? string.Join("; ", _errors) : $"strace exited with {StraceExitCode?.ToString(CultureInfo.InvariantCulture) ?? "a signal"} before attaching";
                }
            }
        }

        public void Note(string line)
        {
            // strace names itself by its argv[0]: "strace: …" or "/usr/bin/strace: …".
            var at = line.IndexOf("strace: ", StringComparison.Ordinal);
            if (at >= 0 && !line[..at].Contains(' ', StringComparison.Ordinal) && !line.EndsWith(" detached", StringComparison.Ordinal))
            {
                lock (_errors)
                {
                    _errors.Add(line[at..]);
                }
            }
        }

        public void OnExit(ProcessExitEvent exited)
        {
            if (exited.Pid == Pid)
            {
                TargetExit = exited;
            }

            Attached = true; // an exit in the trace means strace was attached or ran its command
        }

        /// <summary>How the target ended; for a command, strace's own exit code is the command's (128+N when a signal killed it).</summary>
        public string Describe() => TargetExit?.ToString()
            ?? (StraceExitCode is { } code ? $"exited with {code.ToString(CultureInfo.InvariantCulture)}" : "was stopped");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "strace probe {Probe}: attached to pid {Pid}")]
    private partial void LogAttached(string probe, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "strace probe {Probe}: not tracing pid {Pid}: max_processes ({Max}) are traced already")]
    private partial void LogAtCapacity(string probe, int pid, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "strace probe {Probe}: target pid {Pid} {How}")]
    private partial void LogTargetExited(string probe, int pid, string how);


    [LoggerMessage(Level = LogLevel.Error, Message = "strace probe {Probe} stopped: {Reason}")]
    private partial void LogFailed(string probe, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "strace probe {Probe} command: {Line}")]
    private partial void LogCommandOutput(string probe, string line);
}
