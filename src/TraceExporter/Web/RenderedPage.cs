using System.IO.Compression;

namespace TraceExporter.Web;

/// <summary>One render of the telemetry page, and its gzip form, compressed once when first asked for.</summary>
public sealed class RenderedPage(ArraySegment<byte> text)
{
    private readonly Lazy<ArraySegment<byte>> _gzip = new(() => Compress(text));

    public RenderedPage(byte[] text)
        : this(new ArraySegment<byte>(text))
    {
    }

    public ArraySegment<byte> Text => text;

    /// <summary>What Prometheus receives: it asks for gzip, and 10,000 series shrink from ~350 KB to a tenth.</summary>
    public ArraySegment<byte> Gzip => _gzip.Value;

    private static ArraySegment<byte> Compress(ArraySegment<byte> text)
    {
        var buffer = new MemoryStream(text.Count / 8);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(text);
        }

        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
