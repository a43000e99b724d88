using Rein.Config;

namespace Rein.Tests.Config;

public sealed class SizeParserTests
{
    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("8G", 8L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("300MB", 300L << 20)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("1024k", 1L << 20)]
    [InlineData("1M", 1L << 20)]
    [InlineData("0", 0)]
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
    [InlineData("8", "8 bytes is too small to be meant (did you mean 8G?)")]
    [InlineData("512", "512 bytes is too small to be meant (did you mean 512M?)")]
    [InlineData("64", "64 bytes is too small to be meant (did you mean 64G?)")]
    [InlineData("1.5", "1.5 bytes is too small to be meant (did you mean 1.5G?)")]
    [InlineData("64k", "'64k' is 64 KiB, too small to be meant (use 1M or more)")]
    [InlineData("1048575", "1048575 bytes is too small to be meant (use 1M or more)")]
    [InlineData("0.5M", "'0.5M' is 512 KiB, too small to be meant (use 1M or more)")]
    public void Sizes_under_one_MiB_are_refused_as_a_likely_typo(string text, string expected)
    {
        Assert.False(SizeParser.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData(512L << 20, "512 MiB")]
    [InlineData(3L << 29, "1.5 GiB")]
    [InlineData(100, "100 B")]
    public void Sizes_format_with_binary_units(long bytes, string expected) =>
        Assert.Equal(expected, SizeParser.Format(bytes));
}
