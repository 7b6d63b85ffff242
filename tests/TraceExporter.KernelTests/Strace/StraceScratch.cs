using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Strace;

/// <summary>
/// A fresh directory with <c>present.txt</c>, a FIFO <c>go</c> the test programs wait on, and no <c>missing.txt</c>.
/// The programs are dash scripts: dash opens files itself (<c>true &lt; FILE</c>) and loads no locale files, so the
/// only failing opens are the ones a test asks for.
/// </summary>
internal sealed class StraceScratch : IDisposable
{
    private StraceScratch(string directory) => Directory = directory;

    public string Directory { get; }

    public string Missing => Path.Combine(Directory, "missing.txt");

    public string Present => Path.Combine(Directory, "present.txt");

    public string Go => Path.Combine(Directory, "go");

    public static async Task<StraceScratch> CreateAsync()
    {
        var scratch = new StraceScratch(Path.Combine(Path.GetTempPath(), $"te-strace-{UniqueName.Suffix(8)}"));
        System.IO.Directory.CreateDirectory(scratch.Directory);
        await File.WriteAllTextAsync(scratch.Present, "present\n");
        await ExternalTool.RunAsync("mkfifo", [scratch.Go]);
        return scratch;
    }

    /// <summary>Lets a script blocked on <c>read x &lt; go</c> go on (opening the FIFO for writing waits for the reader).</summary>
    public Task ReleaseAsync() => Task.Run(() => File.WriteAllText(Go, "go\n")).WaitAsync(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
