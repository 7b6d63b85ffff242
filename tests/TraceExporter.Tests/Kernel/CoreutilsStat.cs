using System.Diagnostics;
using System.Globalization;

namespace TraceExporter.Tests.Kernel;

/// <summary>Inode numbers as coreutils' <c>stat</c> reads them: a second opinion on <c>DirectoryInode</c>, and files' inodes.</summary>
internal static class CoreutilsStat
{
    public static ulong Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["--format=%i", "--", path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        Assert.True(stat.ExitCode == 0, $"stat {path} exited {stat.ExitCode}");
        return ulong.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
