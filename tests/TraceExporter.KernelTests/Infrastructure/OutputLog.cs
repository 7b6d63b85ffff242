using System.Text;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>A thread-safe transcript of a child process's stdout and stderr, for assertion messages.</summary>
internal sealed class OutputLog
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();

    public event Action<string>? StandardOutputLine;

    public void AppendStandardOutput(string line)
    {
        Append("out", line);
        StandardOutputLine?.Invoke(line);
    }

    public void AppendStandardError(string line) => Append("err", line);

    public void Note(string line) => Append("test", line);

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }

    private void Append(string stream, string line)
    {
        lock (_gate)
        {
            _text.Append('[').Append(stream).Append("] ").AppendLine(line);
        }
    }
}
