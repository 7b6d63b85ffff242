using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class KeyPartTests
{
    [Theory]
    [InlineData("5", 5UL)]
    [InlineData("-1", ulong.MaxValue)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("-6577288780909641727", 11869455292799909889UL)]
    [InlineData(" 7", 7UL)]
    public void Signed_and_unsigned_prints_of_a_key_part_read_back_to_the_same_bits(string text, ulong expected)
    {
        Assert.True(KeyPart.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1,2")]
    [InlineData("SKB_DROP_REASON_NO_SOCKET")]
    public void Text_that_is_not_one_number_is_refused(string text)
    {
        Assert.False(KeyPart.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }
}
