// MERGE SHIM, to delete at merge (issue 12.3). The CLI files (Cli/OperatorCommands.cs, the `autoops` verb in
// Cli/PersistersCommandLine.cs, moving to Cli/AutoOpsCommand.cs on branch i14-cli) still say the old names; this file lets them
// compile unchanged while that move is in flight. At merge: in those files replace CreateEventRateRule -> CreateAutoOpsRule,
// StopEventRateRule -> StopAutoOpsRule, DeleteEventRateRule -> DeleteAutoOpsRule, `using Persisters.Sagas.AutoOps;` ->
// `using Persisters.Consumers.AutoOps;`, then delete this file.
global using CreateEventRateRule = Persisters.Contracts.CreateAutoOpsRule;
global using StopEventRateRule = Persisters.Contracts.StopAutoOpsRule;
global using DeleteEventRateRule = Persisters.Contracts.DeleteAutoOpsRule;
global using AutoOpsRegistration = Persisters.Consumers.AutoOps.AutoOpsRegistration;

namespace Persisters.Sagas.AutoOps
{
    /// <summary>Keeps <c>using Persisters.Sagas.AutoOps;</c> in the CLI compiling until the merge (see the top of this file).</summary>
    internal static class MovedToConsumersAutoOps;
}
