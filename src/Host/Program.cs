using Persisters.Host.Cli;

// One executable, several verbs (see PersistersCommandLine); with no verb it runs the service.
return await PersistersCommandLine.InvokeAsync(args);
