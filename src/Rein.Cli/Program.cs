using Rein.Cli;

// `rein __shim` never gets here: the NativeAOT binary runs it in C before the runtime starts (src/native/preinit.c).
return ReinCli.Execute(args);
