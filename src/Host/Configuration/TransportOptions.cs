using System.ComponentModel.DataAnnotations;

namespace Persisters.Host.Configuration;

/// <summary>Configuration section <c>Transport</c>: which broker, and its settings (only the chosen broker's part is checked).</summary>
public sealed class TransportOptions : IValidatableObject
{
    public const string SectionName = "Transport";

    public TransportKind Kind { get; set; } = TransportKind.InMemory;
    public RabbitMqTransportOptions RabbitMq { get; set; } = new();
    public AmazonSqsTransportOptions AmazonSqs { get; set; } = new();
    public AzureServiceBusTransportOptions AzureServiceBus { get; set; } = new();

    /// <summary>Reads and checks the section (<see cref="Settings.Read{T}"/>).</summary>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static TransportOptions Read(IConfiguration configuration) =>
        Settings.Read<TransportOptions>(configuration, SectionName, (o, _) =>
        {
            o.AmazonSqs.Normalize();
            o.AzureServiceBus.Normalize();
            o.RabbitMq.Normalize();
        });

    /// <summary>The chosen broker's part, named under <c>Transport:KIND</c>.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        IEnumerable<ValidationResult> part = Kind switch
        {
            TransportKind.RabbitMq => RabbitMq.Validate(),
            TransportKind.AmazonSqs => AmazonSqs.Validate(),
            TransportKind.AzureServiceBus => AzureServiceBus.Validate(),
            _ => [],
        };
        return part.Select(r => new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{Kind}:{m}")));
    }
}
