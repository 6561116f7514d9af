import { Table, Text } from '@mantine/core';
import { formatNumber } from '../../ui/format';
import { TableScroll } from '../../ui/TableScroll';

const SHOWN = 100;

/** The rejected lines with their reasons (the first hundred; the download has them all). */
export function Rejections({ lines, caption }: { lines: { line: number; reason: string }[]; caption: string }) {
  if (lines.length === 0) return null;
  return (
    <>
      <TableScroll minWidth={480} label="Rejected lines">
        <Table striped withTableBorder>
          <Table.Caption>{caption}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Line</Table.Th>
              <Table.Th scope="col">Why it is rejected</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.slice(0, SHOWN).map((r) => (
              <Table.Tr key={r.line}>
                <Table.Td>{formatNumber(r.line)}</Table.Td>
                <Table.Td>{r.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {lines.length > SHOWN && (
        <Text size="sm" c="dimmed">
          The first {SHOWN} of {formatNumber(lines.length)} rejected lines.
        </Text>
      )}
    </>
  );
}
