using System.Collections.Concurrent;

namespace TraceExporter.Probes;

/// <summary>
/// Starts every child process from one dedicated thread that lives as long as the daemon. Children are
/// started under <c>setpriv --pdeathsig TERM</c>, and Linux sends that signal when the thread that forked
/// the child ends; forking from a thread-pool thread (which may retire) would kill children at random.
/// So a SIGKILLed daemon still leaves no bpftrace behind, and a live one never loses a child this way.
/// </summary>
public sealed class ChildProcessLauncher : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public ChildProcessLauncher()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "child-launcher" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="start"/> (which must start the process synchronously) on the launcher thread.</summary>
    public Task<T> StartAsync<T>(Func<T> start)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(start());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose() => _work.CompleteAdding();

    private void Run()
    {
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }
}
