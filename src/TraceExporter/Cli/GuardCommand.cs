using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using CliWrap;
using Command = System.CommandLine.Command;
using TraceExporter.Configuration;
using TraceExporter.Probes;
using TraceExporter.Strace;

// Not TraceExporter.Cli: a namespace of that name would hide CliWrap's Cli class from every file under TraceExporter.
namespace TraceExporter;

/// <summary>
/// <c>trace-exporter guard --abort-on openat:ENOENT -- COMMAND ARGS…</c>: runs COMMAND under strace and stops
/// it at the first call that fails as a rule names (SIGTERM to its process group, SIGKILL after the grace
/// period). The rules' calls are held for <c>--hold</c> at their return (strace <c>delay_exit</c>), so the signal
/// lands before the command can act on the failure. Without a match the command's exit code is ours, and its
/// stdin/stdout/stderr are passed through byte for byte (the trace has a pipe of its own).
/// </summary>
public static class GuardCommand
{
    /// <summary>The command was stopped on a matching call.</summary>
    public const int ExitStopped = 70;

    /// <summary>A command-line mistake, or a rule strace rejects.</summary>
    public const int ExitUsage = 2;

    /// <summary>strace is missing or cannot trace here.</summary>
    public const int ExitPrerequisite = 3;

    /// <summary>COMMAND is not an executable file or not on PATH (as in shells).</summary>
    public const int ExitCommandNotFound = 127;

    public const string StraceEnvironmentVariable = "TRACE_EXPORTER_STRACE";

    /// <summary>SIGTERM to SIGKILL: longer than any clean shutdown should take.</summary>
    private static readonly TimeSpan MaximumGrace = TimeSpan.FromHours(1);

    /// <summary>Each named call is held this long at most: a hold is paid on every such call.</summary>
    private static readonly TimeSpan MaximumHold = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var abortOn = new Option<string[]>("--abort-on")
        {
            Description = "SYSCALL[:ERRNO[,ERRNO…]][:PATH_PATTERN]: stop the command when this call fails (with one of these errnos, on a path matching the pattern: * ? as in file names). Repeatable.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var grace = new Option<string>("--grace")
        {
            Description = "How long after SIGTERM to send SIGKILL.",
            DefaultValueFactory = _ => "2s",
        };
        var hold = new Option<string>("--hold")
        {
            Description = "How long strace holds each return of the named calls, so the command is stopped before it acts on a failure (0 to not hold; each such call is slowed this much).",
            DefaultValueFactory = _ => "20ms",
        };
        var strace = new Option<string>("--strace")
        {
            Description = $"The strace to use (default: ${StraceEnvironmentVariable}, else strace on PATH).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StraceEnvironmentVariable) is { Length: > 0 } path ? path : "strace",
        };
        var command = new Argument<string[]>("command")
        {
            Description = "The command and its arguments, after --.",
            Arity = ArgumentArity.OneOrMore,
        };

        var guard = new Command("guard", "Run a command under strace and stop it at the first call that fails as named.")
        {
            abortOn,
            grace,
            hold,
            strace,
            command,
        };
        guard.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(abortOn)!,
            parse.GetValue(grace)!,
            parse.GetValue(hold)!,
            parse.GetValue(strace)!,
            parse.GetValue(command)!,
            cancellationToken));
        return guard;
    }

    private static async Task<int> RunAsync(
        string[] abortOn, string graceText, string holdText, string stracePath, string[] command, CancellationToken cancellationToken)
    {
        var rules = new List<AbortRule>();
        foreach (var text in abortOn)
        {
            if (!AbortRule.TryParse(text, out var rule, out var error))
            {
                return Fail(ExitUsage, error!);
            }

            rules.Add(rule!);
        }

        if (!DurationText.TryParse(graceText, out var grace) || grace > MaximumGrace)
        {
            return Fail(ExitUsage, $"--grace '{graceText}' must be a duration from 0 to {DurationText.Format(MaximumGrace)} (2s, 500ms)");
        }

        if (!DurationText.TryParse(holdText, out var hold) || hold > MaximumHold)
        {
            return Fail(ExitUsage, $"--hold '{holdText}' must be a duration from 0 to {DurationText.Format(MaximumHold)} (20ms, 0)");
        }

        if (StraceRunner.Resolve(stracePath) is not { } straceExe)
        {
            return Fail(ExitPrerequisite, $"strace not found: '{stracePath}' is not an executable file or on PATH (see --strace, ${StraceEnvironmentVariable})");
        }

        if (StraceRunner.Resolve(command[0]) is not { } program)
        {
            return Fail(ExitCommandNotFound, $"command not found: {command[0]}");
        }

        var filters = Filters(rules, hold);
        using var launcher = new ChildProcessLauncher();
        var runner = new StraceRunner(launcher, straceExe);
        if (await CheckAsync(runner, filters).ConfigureAwait(false) is { } rejection)
        {
            return Fail(rejection.ExitCode, rejection.Message);
        }

        var stop = new GroupStop(grace);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Forward(ctx, stop));
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => Forward(ctx, stop));
        using var cancel = cancellationToken.Register(() => stop.Stop());
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        string? reason = null;

        var invocation = new StraceInvocation(output => StraceCommandLine.ForCommand(output, filters, program, command[1..]))
        {
            NewSession = true,
            OnStarted = stop.SetGroup,
            StandardInput = PipeSource.FromStream(Console.OpenStandardInput()),
            StandardOutput = PipeTarget.ToStream(stdout, autoFlush: true),
            StandardError = PipeTarget.ToStream(stderr, autoFlush: true),
        };
        var exit = await runner.RunAsync(
            invocation,
            ev =>
            {
                if (reason is null && ev is SyscallEvent call && rules.FirstOrDefault(r => r.Matches(call)) is { } rule)
                {
                    stop.Stop(); // first: every microsecond counts
                    reason = $"guard: stopped {command[0]}: {call.Syscall}(\"{call.Path ?? "?"}\") failed with {call.Errno} in pid {call.Pid.ToString(CultureInfo.InvariantCulture)} (--abort-on {rule})";
                    Console.Error.WriteLine(reason);
                }
            },
            CancellationToken.None,
            CancellationToken.None).ConfigureAwait(false);
        await stop.DisposeAsync().ConfigureAwait(false);

        if (reason is not null)
        {
            return ExitStopped;
        }

        return exit.ExitCode ?? 128 + UnixSignal.SigKill;
    }

    /// <summary>Only failed calls of the named syscalls are traced; with a hold, strace keeps each of them stopped at its return for that long.</summary>
    private static List<string> Filters(List<AbortRule> rules, TimeSpan hold)
    {
        var syscalls = string.Join(',', rules.Select(r => r.Syscall).Distinct(StringComparer.Ordinal));
        var filters = new List<string> { $"trace={syscalls}", "status=failed" };
        if (hold > TimeSpan.Zero)
        {
            filters.Add($"inject={syscalls}:delay_exit={((long)hold.TotalMicroseconds).ToString(CultureInfo.InvariantCulture)}us");
        }

        return filters;
    }

    /// <summary>strace on /bin/true with the same filters: a rule strace rejects or a host where ptrace is denied is one clear line before the command starts.</summary>
    private static async Task<(int ExitCode, string Message)?> CheckAsync(StraceRunner runner, List<string> filters)
    {
        var errors = new List<string>();
        var exit = await runner.RunAsync(
            new StraceInvocation(output => [.. StraceCommandLine.Filters(filters), "-o", output, "--", "/bin/true"])
            {
                StandardError = PipeTarget.ToDelegate(line =>
                {
                    lock (errors)
                    {
                        var prefix = line.IndexOf("strace: ", StringComparison.Ordinal);
                        errors.Add(prefix >= 0 ? line[(prefix + "strace: ".Length)..] : line); // "strace: " or "/usr/bin/strace: "
                    }
                }),
            },
            _ => { },
            CancellationToken.None,
            CancellationToken.None).ConfigureAwait(false);
        if (exit.ExitCode == 0)
        {
            return null;
        }

        var message = errors.FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)) ?? $"exit code {exit.ExitCode}";
        return message.Contains("invalid", StringComparison.OrdinalIgnoreCase)
            ? (ExitUsage, $"strace rejected the rules ({string.Join(' ', filters)}): {message}")
            : (ExitPrerequisite, $"strace cannot run here: {message}");
    }

    private static void Forward(PosixSignalContext context, GroupStop stop)
    {
        context.Cancel = true; // we exit once the command has, with its exit code
        stop.Stop();
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"guard: {message}");
        return code;
    }

    /// <summary>
    /// Stops the command's process group: SIGTERM now, SIGKILL after the grace period if anything is left.
    /// The group is strace's own session (setsid), never ours.
    /// </summary>
    private sealed class GroupStop(TimeSpan grace) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _disposed = new();
        private int _group;
        private int _stopped;
        private Task _escalation = Task.CompletedTask;

        public void SetGroup(int pid) => Volatile.Write(ref _group, pid);

        public void Stop()
        {
            var group = Volatile.Read(ref _group);
            if (group <= 0 || group == Environment.ProcessId || Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

            UnixSignal.SendToGroup(group, UnixSignal.SigTerm);
            _escalation = Task.Run(
                async () =>
                {
                    try
                    {
                        await Task.Delay(grace, _disposed.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    UnixSignal.SendToGroup(group, UnixSignal.SigKill);
                },
                CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            // strace has exited; if the group lives on (a child that ignores SIGTERM), the grace period still applies.
            if (Volatile.Read(ref _stopped) == 1 && HasLiveMembers(Volatile.Read(ref _group)))
            {
                await _escalation.ConfigureAwait(false);
            }

            await _disposed.CancelAsync().ConfigureAwait(false);
            _disposed.Dispose();
        }

        /// <summary>
        /// Whether a process of the group is still running. Zombies do not count: a command that outlived strace
        /// is reparented, and a container's pid 1 may be slow to reap it.
        /// </summary>
        private static bool HasLiveMembers(int group)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (fields[0] != "Z" && fields[2] == group.ToString(CultureInfo.InvariantCulture))
                    {
                        return true;
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return false;
        }
    }
}
