using System.Text;
using TraceExporter.Parsing;

namespace TraceExporter.Tests.Parsing;

public sealed class LineReaderTests
{
    [Fact]
    public async Task Lines_are_split_on_newline_and_a_last_line_without_one_is_kept()
    {
        var lines = await ReadAsync("one\ntwo\n\nthree", maxLineBytes: 100);

        Assert.Equal(["one", "two", "", "three"], lines.Lines);
        Assert.Equal(0, lines.TooLong);
    }

    [Fact]
    public async Task An_over_long_line_is_skipped_and_counted_and_the_next_lines_still_arrive()
    {
        var text = "short\n" + new string('x', 10_000) + "\nafter\n";

        var lines = await ReadAsync(text, maxLineBytes: 1000);

        Assert.Equal(["short", "after"], lines.Lines);
        Assert.Equal(1, lines.TooLong);
    }

    private static async Task<(List<string> Lines, int TooLong)> ReadAsync(string text, int maxLineBytes)
    {
        var lines = new List<string>();
        var tooLong = 0;
        // A stream that hands out a few bytes at a time, as a pipe does.
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), chunk: 7);
        await new LineReader(maxLineBytes).ReadAsync(stream, line => lines.Add(Encoding.UTF8.GetString(line)), () => tooLong++, CancellationToken.None);
        return (lines, tooLong);
    }

    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
