using Rein.Config;

namespace Rein.Tests.Config;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2.5", 2.5)]
    [InlineData("0", 0)]
    [InlineData(" 45 ", 45)]
    [InlineData("1d", 86400)]
    public void Valid_durations_parse(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var v, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), v);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abc", "not a duration")]
    [InlineData("5 parsecs", "unknown unit")]
    [InlineData("10y", "unknown unit 'y'")]
    [InlineData("-1", "out of range")]
    public void Invalid_durations_say_why(string text, string expected)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData(0.85, "850ms")]
    [InlineData(42, "42s")]
    [InlineData(192, "3m12s")]
    [InlineData(7500, "2h05m")]
    public void Durations_format_short(double seconds, string expected) =>
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromSeconds(seconds)));
}
