using System.IO.Pipes;

namespace TraceExporter.Strace;

/// <summary>
/// A pipe for strace's <c>-o</c>: strace opens <see cref="Path"/> (<c>/proc/SELF/fd/N</c>, our write end) itself,
/// so the trace never mixes with the target's own stdout/stderr and no file is left behind. We hold the write
/// end until strace has exited (<see cref="CloseWriter"/>); then the reader sees everything strace wrote, and EOF.
/// </summary>
public sealed class StraceOutputPipe : IDisposable
{
    private readonly AnonymousPipeServerStream _reader = new(PipeDirection.In, System.IO.HandleInheritability.None);

    public StraceOutputPipe()
    {
        Path = $"/proc/{Environment.ProcessId}/fd/{_reader.ClientSafePipeHandle.DangerousGetHandle()}";
    }

    public string Path { get; }

    public Stream Reader => _reader;

    public void CloseWriter() => _reader.DisposeLocalCopyOfClientHandle();

    public void Dispose() => _reader.Dispose();
}
