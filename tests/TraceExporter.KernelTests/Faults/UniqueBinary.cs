using CliWrap;

namespace TraceExporter.KernelTests.Faults;

/// <summary>
/// A copy of <c>/bin/true</c> under a random name: after exec a process's comm is the file's basename, so its
/// execs are counted under a comm no other process has.
/// </summary>
internal sealed class UniqueBinary : IDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly string _path;

    public UniqueBinary(string prefix)
    {
        Name = prefix + Infrastructure.UniqueName.Suffix(15 - prefix.Length);
        _directory = Directory.CreateTempSubdirectory("te-kt-");
        _path = Path.Combine(_directory.FullName, Name);
        File.Copy("/bin/true", _path);
        File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
    }

    /// <summary>The comm its processes have.</summary>
    public string Name { get; }

    public async Task RunAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            var result = await Cli.Wrap(_path).WithValidation(CommandResultValidation.None).ExecuteAsync();
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"{_path} exited {result.ExitCode}");
            }
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
