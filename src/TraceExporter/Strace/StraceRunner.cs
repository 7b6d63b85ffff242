using System.Text;
using CliWrap;
using CliWrap.Exceptions;
using TraceExporter.Parsing;
using TraceExporter.Probes;

namespace TraceExporter.Strace;

/// <summary>
/// Runs one strace process: its trace (<c>-o</c>, a pipe of its own) parsed line by line into events; its
/// stdout/stderr wherever the invocation says. Started like bpftrace, through the launcher thread under
/// <c>setpriv --pdeathsig TERM</c>, so strace dies with the daemon and (with <c>-I 2</c>) takes its command along
/// and detaches from attached processes. Graceful cancellation sends SIGINT: strace detaches and exits.
/// This is the only place that starts strace.
/// </summary>
public sealed class StraceRunner(ChildProcessLauncher launcher, string stracePath)
{
    /// <summary>
    /// The longest line of strace output read. With <c>-s 4096 -xx</c> one string is at most ~16 KiB (a path, or a
    /// 4 KiB buffer of a read or write); longer lines (an execve with many long arguments) are skipped and
    /// counted (<see cref="TooLongLine"/>), so a traced program cannot make the daemon hold megabytes per line.
    /// </summary>
    public const int MaxLineBytes = 64 * 1024;

    private const string Setpriv = "/usr/bin/setpriv";
    private const string Setsid = "/usr/bin/setsid";

    public string StracePath { get; } = stracePath;

    /// <summary>The executable a configured strace path names (absolute, or looked up on PATH); null when there is none.</summary>
    public static string? Resolve(string path)
    {
        if (path.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutable(path) ? Path.GetFullPath(path) : null;
        }

        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Select(dir => Path.Combine(dir, path)).FirstOrDefault(IsExecutable);
    }

    public async Task<StraceExit> RunAsync(
        StraceInvocation invocation, Action<StraceEvent> onEvent, CancellationToken graceful, CancellationToken forceful)
    {
        using var output = new StraceOutputPipe();
        var parser = new StraceLineParser();
        var unrecognized = 0;
        var lines = new LineReader(MaxLineBytes);
        var reading = Task.Run(() => lines.ReadAsync(
            output.Reader,
            line =>
            {
                var ev = parser.Parse(Encoding.Latin1.GetString(line)); // -xx output is ASCII; Latin-1 keeps any byte as is
                if (ev is UnrecognizedLine)
                {
                    unrecognized++;
                }

                if (ev is not null)
                {
                    onEvent(ev);
                }
            },
            () =>
            {
                unrecognized++;
                onEvent(new TooLongLine());
            },
            CancellationToken.None), CancellationToken.None);

        string[] straceCall = [StracePath, .. invocation.Arguments(output.Path)];
        string[] sessionCall = invocation.NewSession && File.Exists(Setsid) ? [Setsid, "--wait", .. straceCall] : straceCall;
        var command = (File.Exists(Setpriv)
                ? CliWrap.Cli.Wrap(Setpriv).WithArguments(["--pdeathsig", "TERM", "--", .. sessionCall])
                : CliWrap.Cli.Wrap(sessionCall[0]).WithArguments(sessionCall[1..]))
            .WithStandardInputPipe(invocation.StandardInput)
            .WithStandardOutputPipe(invocation.StandardOutput)
            .WithStandardErrorPipe(invocation.StandardError)
            .WithValidation(CommandResultValidation.None);

        int? exitCode = null;
        try
        {
            var running = await launcher.StartAsync(() => command.ExecuteAsync(forceful, graceful)).ConfigureAwait(false);
            invocation.OnStarted?.Invoke(running.ProcessId);
            exitCode = (await running.ConfigureAwait(false)).ExitCode;
        }
        catch (OperationCanceledException)
        {
        }
        catch (CommandExecutionException)
        {
        }
        finally
        {
            output.CloseWriter(); // strace is gone: what it wrote is in the pipe, then EOF
            await reading.ConfigureAwait(false);
        }

        return new StraceExit(exitCode, unrecognized);
    }

    private static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
