using System.Text.Json.Serialization;
using Persisters.Contracts;

namespace Persisters.Host.Api;

/// <summary>The experiment lifecycle's answer to an accepted command (200): the experiment, its status after the command, and what happened
/// ("started", "already running", …).</summary>
public sealed record ExperimentCommandAnswer(
    Guid ExperimentId,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ExperimentStatus>))] ExperimentStatus Status,
    string Detail);
