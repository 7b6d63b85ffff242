using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>A configuration (with the tests' bpftrace, <see cref="TestBpftrace"/>) written to a uniquely named temporary file, deleted on disposal.</summary>
internal sealed class TemporaryConfigFile : IDisposable
{
    public TemporaryConfigFile(string text)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"te-kt-{UniqueName.Suffix(10)}.yaml");
        File.WriteAllText(Path, TestBpftrace.Configure(text));
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
