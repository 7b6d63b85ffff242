using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class NumericKeyTests
{
    [Theory]
    [InlineData("5", 5UL, 0UL)]
    [InlineData("1,2", 1UL, 2UL)]
    [InlineData("-1", ulong.MaxValue, 0UL)]
    [InlineData("18446744073709551615", ulong.MaxValue, 0UL)]
    [InlineData("-6577288780909641727,37154705515741185", 11869455292799909889UL, 37154705515741185UL)]
    public void Signed_and_unsigned_prints_of_a_key_read_back_to_the_same_bits(string text, ulong first, ulong second)
    {
        Assert.True(NumericKey.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out var key));
        Assert.Equal(new NumericKey(first, second), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1,x")]
    [InlineData("SKB_DROP_REASON_NO_SOCKET")]
    public void Text_that_is_not_numbers_is_refused(string text)
    {
        Assert.False(NumericKey.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }
}
