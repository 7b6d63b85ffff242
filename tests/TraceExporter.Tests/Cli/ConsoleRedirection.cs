namespace TraceExporter.Tests.Cli;

/// <summary>Runs a command with Console.Error captured; tests that do so share this collection so they never run at once.</summary>
[CollectionDefinition(nameof(ConsoleRedirection), DisableParallelization = true)]
public sealed class ConsoleRedirection
{
    public static async Task<(int Code, string Stderr)> RunAsync(Func<Task<int>> run)
    {
        var previous = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            var code = await run();
            return (code, captured.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }
}
