using Rein.Cli;
using Rein.Processes;

// The keeper must start in a couple of milliseconds and touch nothing else: handle it before any parsing.
if (args is ["__keeper"])
{
    return Keeper.RunKeeper(Console.In, Console.Error);
}

return ReinCli.Execute(args);
