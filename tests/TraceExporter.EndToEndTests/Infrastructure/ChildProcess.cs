using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>
/// A long-running real program (the daemon, Prometheus, node_exporter, the traffic), started through CliWrap.
/// Disposing asks it to stop (SIGINT) and kills it after 5 s; its output is kept for assertion messages.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly CancellationTokenSource _graceful = new();
    private readonly CancellationTokenSource _forceful = new();
    private readonly CommandTask<CommandResult> _task;

    private ChildProcess(string name, string program, IReadOnlyList<string> arguments, string? workingDirectory)
    {
        Name = name;
        var command = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(Append))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(Append))
            .WithValidation(CommandResultValidation.None);
        if (workingDirectory is not null)
        {
            command = command.WithWorkingDirectory(workingDirectory);
        }

        _task = command.ExecuteAsync(_forceful.Token, _graceful.Token);
    }

    public string Name { get; }

    public bool HasExited => _task.Task.IsCompleted;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return $"--- {Name} (pid {_task.ProcessId}{(HasExited ? ", exited" : "")}) ---\n{_output}";
            }
        }
    }

    public static ChildProcess Start(string name, string program, IReadOnlyList<string> arguments, string? workingDirectory = null) =>
        new(name, program, arguments, workingDirectory);

    /// <summary>Runs a short command to its end; throws with its output unless it exits 0.</summary>
    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null)
    {
        var command = Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        var result = await command.ExecuteBufferedAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.StandardOutput}{result.StandardError}");
        }

        return result.StandardOutput + result.StandardError;
    }

    public async Task<int?> WaitForExitAsync(TimeSpan deadline)
    {
        try
        {
            return (await _task.Task.WaitAsync(deadline)).ExitCode;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_task.Task.IsCompleted)
        {
            await _graceful.CancelAsync();
            _forceful.CancelAfter(TimeSpan.FromSeconds(5));
        }

        try
        {
            await _task;
        }
        catch (OperationCanceledException)
        {
        }

        _graceful.Dispose();
        _forceful.Dispose();
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
