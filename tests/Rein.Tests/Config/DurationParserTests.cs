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
    [InlineData(".5s", 0.5)]
    [InlineData("1e3", 1000)]
    [InlineData("1.5e1s", 15)]
    [InlineData("2.34e+5d", 2.34e5 * 86400)]
    [InlineData("6E-1m", 36)]
    [InlineData("1h1e1m", 4200)]
    [InlineData("-0", 0)]
    public void Valid_durations_parse(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var v, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), v);
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("1e400")]
    [InlineData("inf")]
    [InlineData("Infinity")]
    [InlineData("infs")]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999d")]
    [InlineData("1e308h1s")]
    public void Durations_too_large_for_the_clock_mean_practically_forever(string text)
    {
        Assert.True(DurationParser.TryParse(text, out var v, out var error), error);
        Assert.Equal(DurationParser.Forever, v);
    }

    [Fact]
    public void Practically_forever_still_fits_date_arithmetic()
    {
        Assert.True(DurationParser.Forever > TimeSpan.FromDays(365 * 100));
        _ = DateTimeOffset.UtcNow + DurationParser.Forever;
        _ = DateTimeOffset.UtcNow - DurationParser.Forever;
    }

    [Theory]
    [InlineData("1e-10000")]
    [InlineData("1e-10")]
    [InlineData("0.00000000001ms")]
    [InlineData("0.0000000000000000000000000000000000000000000001")]
    public void A_tiny_positive_duration_is_the_smallest_tick_never_zero(string text)
    {
        Assert.True(DurationParser.TryParse(text, out var v, out var error), error);
        Assert.Equal(TimeSpan.FromTicks(1), v);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abc", "not a duration")]
    [InlineData("5 parsecs", "not a duration")]
    [InlineData("10y", "unknown unit 'y'")]
    [InlineData("42D", "unknown unit 'D'")]
    [InlineData("5S", "unknown unit 'S'")]
    [InlineData("1H", "unknown unit 'H'")]
    [InlineData("3MS", "unknown unit 'MS'")]
    [InlineData("-1", "0 or more")]
    [InlineData("-inf", "0 or more")]
    [InlineData("-1e-10000", "0 or more")]
    [InlineData("nan", "not a duration")]
    [InlineData("1.5.5s", "'1.5.5' is not a number")]
    [InlineData("1..5", "'1..5' is not a number")]
    [InlineData("1e", "unknown unit 'e'")]
    [InlineData("1h30", "'30' has no unit")]
    [InlineData("1h-30m", "not a duration")]
    public void Invalid_durations_say_why(string text, string expected)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        Assert.DoesNotContain("please report", error);
    }

    [Theory]
    [InlineData(0.85, "850ms")]
    [InlineData(42, "42s")]
    [InlineData(192, "3m12s")]
    [InlineData(7500, "2h05m")]
    public void Durations_format_short(double seconds, string expected) =>
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromSeconds(seconds)));
}
