using Rein.Config;

namespace Rein.Tests.Config;

public sealed class SizeParserTests
{
    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("8G", 8L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("300MB", 300L << 20)]
    [InlineData("4096", 4096)]
    [InlineData("64k", 64L << 10)]
    public void Valid_sizes_parse(string text, long bytes)
    {
        Assert.True(SizeParser.TryParse(text, out var v, out var error), error);
        Assert.Equal(bytes, v);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("8X")]
    [InlineData("")]
    public void Invalid_sizes_fail(string text) =>
        Assert.False(SizeParser.TryParse(text, out _, out _));

    [Theory]
    [InlineData(512L << 20, "512 MiB")]
    [InlineData(3L << 29, "1.5 GiB")]
    [InlineData(100, "100 B")]
    public void Sizes_format_with_binary_units(long bytes, string expected) =>
        Assert.Equal(expected, SizeParser.Format(bytes));
}
