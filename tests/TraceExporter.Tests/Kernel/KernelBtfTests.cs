using System.Buffers.Binary;
using System.Text;
using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

public sealed class KernelBtfTests
{
    [Fact]
    public void Member_offsets_are_found_through_anonymous_unions_and_dotted_paths()
    {
        var btf = KernelBtf.Parse(SampleBtf());

        Assert.Equal(0, btf.MemberOffset("outer", "head"));
        Assert.Equal(8, btf.MemberOffset("outer", "dev"));          // inside an anonymous union at 8
        Assert.Equal(16, btf.MemberOffset("outer", "inner"));
        Assert.Equal(20, btf.MemberOffset("outer", "inner.value")); // inner at 16, value at 4 inside it
        Assert.Null(btf.MemberOffset("outer", "missing"));
        Assert.Null(btf.MemberOffset("nosuch", "head"));
    }

    [Fact]
    public void Enum_values_are_read_by_number()
    {
        var btf = KernelBtf.Parse(SampleBtf());

        var values = btf.EnumValues("skb_drop_reason")!;
        Assert.Equal("SKB_DROP_REASON_NOT_SPECIFIED", values[2]);
        Assert.Equal("SKB_DROP_REASON_TCP_CSUM", values[10]);
        Assert.Equal("TCP_CSUM", DropReasonTable.FromBtf(btf)!.NameOf(10));
    }

    [Fact]
    public void A_file_that_is_not_btf_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => KernelBtf.Parse(Encoding.ASCII.GetBytes("not btf at all, just text")));
    }

    /// <summary>
    /// A tiny raw BTF blob: int (1), struct inner { int pad; int value; } (2), union { long dev; } (3, anonymous),
    /// struct outer { long head; union {…}; struct inner inner; } (4), enum skb_drop_reason (5).
    /// </summary>
    [Fact]
    public void Host_facts_read_the_BTF_file_again_once_the_garbage_collector_has_taken_it()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, SampleBtf());
            var host = HostFacts.Discover(tracefsRoot: "/nonexistent-tracefs", btfPath: file);
            Assert.Equal(16, host.Offset("outer", "inner"));

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();

            Assert.Null(host.BtfProblem);
            Assert.Equal(20, host.Offset("outer", "inner.value"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static byte[] SampleBtf()
    {
        var strings = new List<byte> { 0 };
        int Str(string s)
        {
            var offset = strings.Count;
            strings.AddRange(Encoding.ASCII.GetBytes(s));
            strings.Add(0);
            return offset;
        }

        var types = new List<byte>();
        void U32(int v)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            types.AddRange(b);
        }

        void Type(int name, int kind, int vlen, int sizeOrType)
        {
            U32(name);
            U32((kind << 24) | vlen);
            U32(sizeOrType);
        }

        Type(Str("int"), 1, 0, 4); U32(32);                                     // 1: int
        Type(Str("inner"), 4, 2, 8); U32(Str("pad")); U32(1); U32(0); U32(Str("value")); U32(1); U32(32); // 2
        Type(0, 5, 1, 8); U32(Str("dev")); U32(1); U32(0);                       // 3: anonymous union
        Type(Str("outer"), 4, 3, 24);                                            // 4
        U32(Str("head")); U32(1); U32(0);
        U32(0); U32(3); U32(64);
        U32(Str("inner")); U32(2); U32(128);
        Type(Str("skb_drop_reason"), 6, 2, 4);                                   // 5
        U32(Str("SKB_DROP_REASON_NOT_SPECIFIED")); U32(2);
        U32(Str("SKB_DROP_REASON_TCP_CSUM")); U32(10);

        var header = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0xEB9F);
        header[2] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 24);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), types.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), types.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), strings.Count);
        return [.. header, .. types, .. strings];
    }
}
