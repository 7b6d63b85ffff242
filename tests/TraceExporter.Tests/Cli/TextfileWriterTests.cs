using System.Diagnostics;

namespace TraceExporter.Tests.Cli;

/// <summary>Whoever can write the textfile directory cannot make <c>once</c> overwrite another file, nor hang it.</summary>
public sealed class TextfileWriterTests : IDisposable
{
    private static readonly byte[] Page = "trace_exporter_probe_up{probe=\"p\"} 1\n"u8.ToArray();
    private readonly string _dir = Directory.CreateTempSubdirectory("te-textfile-").FullName;
    private readonly string _victim;

    public TextfileWriterTests()
    {
        _victim = Path.Combine(_dir, "victim");
        File.WriteAllText(_victim, "precious\n");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Symlinks_and_fifos_planted_at_the_temporary_names_are_left_alone_and_the_page_is_written()
    {
        var target = Path.Combine(_dir, "trace.prom");
        var names = new Queue<string>(["a", "b", "c", "d"]);
        File.CreateSymbolicLink(Path.Combine(_dir, ".trace.prom.a.tmp"), _victim);
        Mkfifo(Path.Combine(_dir, ".trace.prom.b.tmp"));
        File.CreateSymbolicLink(Path.Combine(_dir, ".trace.prom.c.tmp"), Path.Combine(_dir, "not-there"));

        await TextfileWriter.WriteAsync(Page, target, names.Dequeue).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("precious\n", await File.ReadAllTextAsync(_victim));
        Assert.False(File.Exists(Path.Combine(_dir, "not-there")));
        Assert.Equal(Page, await File.ReadAllBytesAsync(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(target));
        Assert.Equal(
            [".trace.prom.a.tmp", ".trace.prom.b.tmp", ".trace.prom.c.tmp", "trace.prom", "victim"],
            Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_symlink_at_the_target_is_replaced_not_followed()
    {
        var target = Path.Combine(_dir, "trace.prom");
        File.CreateSymbolicLink(target, _victim);

        await TextfileWriter.WriteAsync(Page, target);

        Assert.Equal("precious\n", await File.ReadAllTextAsync(_victim));
        Assert.Null(new FileInfo(target).LinkTarget);
        Assert.Equal(Page, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task When_every_name_is_taken_it_gives_up_with_an_IOException_and_touches_nothing()
    {
        var target = Path.Combine(_dir, "trace.prom");
        File.CreateSymbolicLink(Path.Combine(_dir, ".trace.prom.x.tmp"), _victim);

        await Assert.ThrowsAnyAsync<IOException>(() => TextfileWriter.WriteAsync(Page, target, () => "x"));

        Assert.Equal("precious\n", await File.ReadAllTextAsync(_victim));
        Assert.False(File.Exists(target));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Mkfifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
