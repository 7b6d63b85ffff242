using System.Globalization;
using CliWrap;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// A running <c>te-workload serve</c> in a namespace. Its stdin stays open until disposal; closing it makes the
/// server exit, and it is killed if it does not.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly TaskCompletionSource _closeStandardInput = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _kill = new();
    private readonly OutputLog _log = new();
    private CommandTask<CommandResult>? _task;

    private ServerProcess(int port) => Port = port;

    public int Port { get; }

    public int ProcessId => _task?.ProcessId ?? throw new InvalidOperationException("not started");

    public string Output => _log.ToString();

    public static async Task<ServerProcess> StartAsync(
        NetworkNamespace ns, int port, long? sendBytes = null, byte[]? threadName = null)
    {
        var server = new ServerProcess(port);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server._log.StandardOutputLine += line =>
        {
            if (line == "listening")
            {
                listening.TrySetResult();
            }
        };

        IEnumerable<string> sendOption = sendBytes is { } n ? ["--send-bytes", n.ToString(CultureInfo.InvariantCulture)] : [];
        server._task = Workload.Command(ns, threadName, ["serve", "--port", port.ToString(CultureInfo.InvariantCulture), .. sendOption])
            .WithStandardInputPipe(PipeSource.Create(async (_, ct) => await server._closeStandardInput.Task.WaitAsync(ct)))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(server._log.AppendStandardOutput))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(server._log.AppendStandardError))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(server._kill.Token);

        var first = await Task.WhenAny(listening.Task, server._task, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != listening.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException(
                $"te-workload serve on port {port} in {ns.Name} did not print 'listening':\n{server.Output}");
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _closeStandardInput.TrySetResult();
        if (_task is not null)
        {
            try
            {
                await _task.Task.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                await _kill.CancelAsync();
            }

            try
            {
                await _task;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _kill.Dispose();
    }
}
