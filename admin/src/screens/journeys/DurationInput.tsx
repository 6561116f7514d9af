import { Group, NativeSelect, NumberInput } from '@mantine/core';
import { useState } from 'react';
import { fromIsoDuration, toIsoDuration, UNITS, type Unit } from './graph';

/** A duration as a number and a unit (2 days), kept as ISO-8601 (P2D) for the API. */
export function DurationInput({
  label,
  description,
  value,
  onChange,
  disabled,
  error,
}: {
  label: string;
  description?: string;
  value: string | undefined;
  onChange: (iso: string) => void;
  disabled?: boolean;
  error?: string | undefined;
}) {
  const parsed = fromIsoDuration(value) ?? { amount: 1, unit: 'days' as Unit };
  // The unit is kept while the number is cleared (an empty box is not yet 0 days).
  const [unit, setUnit] = useState<Unit>(parsed.unit);
  const [amount, setAmount] = useState<number | string>(parsed.amount);
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <NumberInput
        label={label}
        description={description}
        value={amount}
        min={0}
        max={100000}
        allowDecimal={false}
        allowNegative={false}
        onChange={(v) => {
          setAmount(v);
          if (typeof v === 'number') onChange(toIsoDuration(v, unit));
        }}
        disabled={disabled}
        error={error}
        style={{ flex: '1 1 0', minWidth: 0 }}
      />
      <NativeSelect
        label="Unit"
        aria-label={`${label}: unit`}
        description={description ? ' ' : undefined}
        value={unit}
        data={UNITS.map((u) => ({ value: u.value, label: u.label }))}
        onChange={(e) => {
          const u = e.currentTarget.value as Unit;
          setUnit(u);
          onChange(toIsoDuration(typeof amount === 'number' ? amount : 0, u));
        }}
        disabled={disabled}
        style={{ flex: '1 1 0', minWidth: 0 }}
      />
    </Group>
  );
}
