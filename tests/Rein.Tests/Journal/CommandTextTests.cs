namespace Rein.Tests.Journal;

public sealed class CommandTextTests
{
    [Theory]
    [InlineData(new[] { "make", "ci" }, "make ci")]
    [InlineData(
        new[] { "pytest", "tests/test with space.py" },
        "pytest 'tests/test with space.py'"
    )]
    [InlineData(new[] { "echo", "it's" }, @"echo 'it'\''s'")]
    [InlineData(new[] { "echo", "" }, "echo ''")]
    [InlineData(new[] { "printf", "a\u001b[31mb" }, @"printf $'a\e[31mb'")]
    [InlineData(new[] { "x", "1\r\n2\t3\u00074\u007f5\u00856" }, @"x $'1\r\n2\t3\a4\x7f5\u00856'")]
    [InlineData(new[] { "x", "it's\\\n" }, @"x $'it\'s\\\n'")]
    public void Arguments_are_shell_quoted_and_control_characters_escaped(
        string[] argv,
        string expected
    ) => Assert.Equal(expected, Rein.CommandText.Join(argv));

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("/tmp/a\nb", @"/tmp/a\nb")]
    [InlineData("\u009b2J", @"\u009b2J")]
    [InlineData("\u0000", @"\x00")]
    public void Free_text_keeps_everything_but_control_characters(string text, string expected) =>
        Assert.Equal(expected, Rein.CommandText.Escape(text));
}
