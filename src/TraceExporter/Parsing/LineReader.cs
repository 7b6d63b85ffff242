using System.Buffers;
using System.IO.Pipelines;

namespace TraceExporter.Parsing;

/// <summary>
/// Splits a byte stream into '\n'-terminated lines without decoding them. A line longer than
/// <see cref="MaxLineBytes"/> is skipped (reported once, by <paramref name="onTooLong"/>) instead of growing memory.
/// </summary>
public sealed class LineReader(int maxLineBytes)
{
    public int MaxLineBytes { get; } = maxLineBytes;

    public delegate void LineHandler(Span<byte> line);

    public async Task ReadAsync(Stream stream, LineHandler onLine, Action onTooLong, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        var scratch = new byte[4096];
        var skipping = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryTakeLine(ref buffer, out var line))
                {
                    if (skipping)
                    {
                        skipping = false; // the end of the over-long line
                        continue;
                    }

                    Deliver(line, ref scratch, onLine, onTooLong);
                }

                if (!skipping && buffer.Length > MaxLineBytes)
                {
                    skipping = true;
                    onTooLong();
                }

                if (skipping)
                {
                    buffer = buffer.Slice(buffer.End); // drop what we have of the over-long line
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (!skipping && !buffer.IsEmpty)
                    {
                        Deliver(buffer, ref scratch, onLine, onTooLong); // a last line without '\n'
                    }

                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Deliver(ReadOnlySequence<byte> line, ref byte[] scratch, LineHandler onLine, Action onTooLong)
    {
        if (line.Length > MaxLineBytes)
        {
            onTooLong();
            return;
        }

        var length = (int)line.Length;
        if (scratch.Length < length)
        {
            scratch = new byte[Math.Max(length, scratch.Length * 2)];
        }

        line.CopyTo(scratch);
        onLine(scratch.AsSpan(0, length));
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }
}
