import { Code, Modal, Select, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { type PolicySummary, usePolicyVersion } from "./guardrails-api";

/** Every version of a policy, newest first: its source text, author, time and the keys using it. */
export function PolicyVersionsModal({ policy, onClose }: { policy: PolicySummary; onClose: () => void }) {
  const [version, setVersion] = useState(policy.version);
  const shown = usePolicyVersion(policy.name, version);
  const versions = Array.from({ length: policy.version }, (_, index) => String(policy.version - index));
  return (
    <Modal opened onClose={onClose} title={`Versions of ${policy.name}`} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      <Stack>
        <Select label="Version" data={versions} value={String(version)} onChange={(value) => value && setVersion(Number(value))} allowDeselect={false} />
        <QueryState query={shown} label={`version ${version}`}>
          {(data) => (
            <Stack gap="xs">
              <Text size="sm" data-testid="policy-version-meta">
                {`Version ${data.version}${data.version === policy.version ? " (current)" : ""}, saved ${formatTime(data.created_at)}${data.created_by ? ` by ${data.created_by}` : ""}`}
              </Text>
              <Code block aria-label={`Policy ${policy.name} version ${data.version}`}>
                {data.source}
              </Code>
              {data.keys ? <Text size="sm">{data.keys.length === 0 ? "No key uses this policy." : `Used by keys: ${data.keys.join(", ")}`}</Text> : null}
            </Stack>
          )}
        </QueryState>
      </Stack>
    </Modal>
  );
}
