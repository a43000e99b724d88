using Spectre.Console;

namespace Rein.Tests.Support;

/// <summary>Golden-file checks for human output (Verify is not available): render at a fixed width with no
/// colour, compare with tests/golden/NAME. <c>REIN_UPDATE_GOLDEN=1</c> rewrites the file in the source tree.</summary>
internal static class Golden
{
    public static (IAnsiConsole Console, StringWriter Output) Console(int width = 100)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(writer),
                Interactive = InteractionSupport.No,
            }
        );
        console.Profile.Width = width;
        return (console, writer);
    }

    public static void Check(string name, string actual)
    {
        actual = string.Join(
            '\n',
            actual.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())
        );
        if (Environment.GetEnvironmentVariable("REIN_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Paths.SourceGolden(name), actual);
            return;
        }

        var path = Paths.Golden(name);
        Assert.True(
            File.Exists(path),
            $"no golden file {name}; run the test with REIN_UPDATE_GOLDEN=1 and review it"
        );
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
