using CliWrap;
using CliWrap.Exceptions;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>
/// Runs one bpftrace process on a program: stdout parsed record by record into a sink, stderr handed over
/// line by line. Stopping sends SIGINT (bpftrace runs END, prints its maps and exits 0); a bpftrace still
/// running <see cref="StopGrace"/> later is killed. This is the only place that starts bpftrace.
/// </summary>
public sealed class BpftraceRunner(ChildProcessLauncher launcher, string bpftracePath, int maxLineBytes = BpftraceRunner.DefaultMaxLineBytes)
{
    /// <summary>A snapshot of a 100,000-key map is a few MB; anything past this is not bpftrace output we can use.</summary>
    public const int DefaultMaxLineBytes = 64 * 1024 * 1024;

    /// <summary>How long a stopped bpftrace gets to exit after SIGINT before it is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);

    private const string Setpriv = "/usr/bin/setpriv";

    public string BpftracePath { get; } = bpftracePath;

    /// <summary>Runs until bpftrace exits or is stopped; returns its exit code (null when it had to be killed).</summary>
    public async Task<int?> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        IRecordSink sink,
        Action<string> onStderrLine,
        Action<int>? onStarted,
        CancellationToken stop)
    {
        using var forceful = new CancellationTokenSource();
        using var escalate = stop.Register(() => forceful.CancelAfter(StopGrace));
        var parser = new BpftraceJsonParser();
        var lines = new LineReader(maxLineBytes);
        var stdout = PipeTarget.Create((stream, ct) =>
            lines.ReadAsync(stream, line => parser.Parse(line, sink), () => sink.OnMalformed(ParseError.LineTooLong), ct));

        // The program goes on stdin, read as the file /dev/stdin (0.14 to 0.27, and through a chroot wrapper,
        // which shares /proc and /dev): an argument is limited to 128 KiB (MAX_ARG_STRLEN), and in argv it would
        // show in ps. bpftrace's messages then name the file "/dev/stdin:LINE:COLUMN".
        string[] bpftraceArgs = ["-f", "json", .. arguments, "/dev/stdin"];
        var command = (File.Exists(Setpriv)
                ? CliWrap.Cli.Wrap(Setpriv).WithArguments(["--pdeathsig", "TERM", "--", BpftracePath, .. bpftraceArgs])
                : CliWrap.Cli.Wrap(BpftracePath).WithArguments(bpftraceArgs))
            .WithEnvironmentVariables(environment)
            .WithStandardInputPipe(PipeSource.FromString(program, System.Text.Encoding.UTF8))
            .WithStandardOutputPipe(stdout)
            .WithStandardErrorPipe(PipeTarget.ToDelegate(onStderrLine))
            .WithValidation(CommandResultValidation.None);

        var running = await launcher.StartAsync(() => command.ExecuteAsync(forceful.Token, stop)).ConfigureAwait(false);
        onStarted?.Invoke(running.ProcessId);
        try
        {
            var result = await running.ConfigureAwait(false);
            return result.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (CommandExecutionException)
        {
            return null;
        }
    }
}
