using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class LabelTextTests
{
    [Fact]
    public void Quotes_commas_backslashes_spaces_and_utf8_stay_exact()
    {
        Assert.Equal("a\"b,c\\d é", LabelText.FromBytes("a\"b,c\\d é"u8));
    }

    [Fact]
    public void A_byte_that_is_not_utf8_is_written_as_x_escape()
    {
        Assert.Equal("ab\\xffc\\xc3", LabelText.FromBytes([(byte)'a', (byte)'b', 0xFF, (byte)'c', 0xC3]));
    }

    [Fact]
    public void The_name_ends_at_the_first_nul_even_when_old_bytes_follow()
    {
        Assert.Equal("ab", LabelText.FromBytes("ab\0ylongname"u8));
    }

    [Fact]
    public void Packed_names_are_little_endian_u64_pairs()
    {
        // "lo" as the kernel's net_device.name reads through *(uint64 *)
        Assert.Equal("lo", LabelText.FromPackedName(0x6f6c, 0));
        Assert.Equal("", LabelText.FromPackedName(0, 0));
    }
}
