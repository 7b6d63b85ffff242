using CliWrap;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// A bpftrace of a test's own, beside the daemon, to observe the kernel independently of it. Started with a
/// program (a <c>BEGIN</c> printing <c>ready</c> is put in front); <see cref="StartAsync"/> returns once every
/// probe is attached; each line it prints, other than that one, goes to the line handler as it comes. Stopped
/// with SIGINT, SIGKILL after 5 s.
/// </summary>
internal sealed class SideBpftrace : IAsyncDisposable
{
    private const string Ready = "ready";
    private readonly OutputLog _log = new();
    private readonly CancellationTokenSource _graceful = new();
    private readonly CancellationTokenSource _forceful = new();
    private CommandTask<CommandResult>? _task;

    private SideBpftrace()
    {
    }

    /// <summary>Everything it printed, stdout and stderr, for assertion messages.</summary>
    public string Output => _log.ToString();

    public bool HasExited => _task?.Task.IsCompleted ?? true;

    /// <summary>Starts <paramref name="program"/> on <paramref name="bpftrace"/>; throws, with its output, when it does not attach within 60 s.</summary>
    public static async Task<SideBpftrace> StartAsync(string program, Action<string> onLine, string bpftrace)
    {
        var side = new SideBpftrace();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        side._log.StandardOutputLine += line =>
        {
            if (line == Ready)
            {
                ready.TrySetResult();
            }
            else
            {
                onLine(line);
            }
        };

        // BEGIN runs once every probe is attached.
        side._task = Cli.Wrap(bpftrace)
            .WithArguments(["-e", $"BEGIN {{ printf(\"{Ready}\\n\"); }}\n{program}"])
            .WithStandardOutputPipe(PipeTarget.ToDelegate(side._log.AppendStandardOutput))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(side._log.AppendStandardError))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(side._forceful.Token, side._graceful.Token);

        var first = await Task.WhenAny(ready.Task, side._task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != ready.Task)
        {
            await side.DisposeAsync();
            throw new InvalidOperationException($"bpftrace did not attach within 60 s:\n{side.Output}");
        }

        return side;
    }

    /// <summary>Notes a line of the test's own in <see cref="Output"/>.</summary>
    public void Note(string line) => _log.Note(line);

    public async Task StopAsync()
    {
        if (_task is null)
        {
            return;
        }

        await _graceful.CancelAsync();
        _forceful.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await _task;
        }
        catch (OperationCanceledException)
        {
        }

        _task = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _graceful.Dispose();
        _forceful.Dispose();
    }
}
