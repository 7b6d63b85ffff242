using CliWrap;
using CliWrap.Exceptions;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>
/// Runs one bpftrace process on a program: stdout parsed record by record into a sink, stderr handed over
/// line by line. Graceful cancellation sends SIGINT (bpftrace runs END, prints its maps and exits 0);
/// forceful cancellation kills it. This is the only place that starts bpftrace.
/// </summary>
public sealed class BpftraceRunner(ChildProcessLauncher launcher, string bpftracePath, int maxLineBytes = BpftraceRunner.DefaultMaxLineBytes)
{
    /// <summary>A snapshot of a 100,000-key map is a few MB; anything past this is not bpftrace output we can use.</summary>
    public const int DefaultMaxLineBytes = 64 * 1024 * 1024;

    private const string Setpriv = "/usr/bin/setpriv";

    public string BpftracePath { get; } = bpftracePath;

    /// <summary>Runs until bpftrace exits or is cancelled; returns its exit code (null when it had to be killed).</summary>
    public async Task<int?> RunAsync(
        string program,
        IReadOnlyDictionary<string, string?> environment,
        IRecordSink sink,
        Action<string> onStderrLine,
        Action<int>? onStarted,
        CancellationToken graceful,
        CancellationToken forceful)
    {
        var parser = new BpftraceJsonParser();
        var lines = new LineReader(maxLineBytes);
        var stdout = PipeTarget.Create((stream, ct) =>
            lines.ReadAsync(stream, line => parser.Parse(line, sink), () => sink.OnMalformed(ParseError.LineTooLong), ct));

        string[] bpftraceArgs = ["-f", "json", "-e", program];
        var command = (File.Exists(Setpriv)
                ? CliWrap.Cli.Wrap(Setpriv).WithArguments(["--pdeathsig", "TERM", "--", BpftracePath, .. bpftraceArgs])
                : CliWrap.Cli.Wrap(BpftracePath).WithArguments(bpftraceArgs))
            .WithEnvironmentVariables(environment)
            .WithStandardOutputPipe(stdout)
            .WithStandardErrorPipe(PipeTarget.ToDelegate(onStderrLine))
            .WithValidation(CommandResultValidation.None);

        var running = await launcher.StartAsync(() => command.ExecuteAsync(forceful, graceful)).ConfigureAwait(false);
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
