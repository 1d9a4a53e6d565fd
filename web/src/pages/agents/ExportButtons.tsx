import { Button, Group } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { apiText } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { saveTextFile } from "./download";

type Format = "json" | "yaml";

/** Downloads an agent's definition (a version, else the latest) as the API exports it. */
export function ExportButtons({ agentId, name, version }: { agentId: string; name: string; version?: number | undefined }) {
  const exportFile = useMutation({
    mutationFn: async (format: Format) => {
      const text = await apiText(`/v1/agents/${encodeURIComponent(agentId)}/export`, { query: { format, version } });
      saveTextFile(text, `${name}${version ? `.v${version}` : ""}.agent.${format}`, format === "json" ? "application/json" : "application/yaml");
    },
  });
  return (
    <>
      <Group gap="xs">
        <Button variant="default" onClick={() => exportFile.mutate("json")} loading={exportFile.isPending && exportFile.variables === "json"}>
          Export JSON
        </Button>
        <Button variant="default" onClick={() => exportFile.mutate("yaml")} loading={exportFile.isPending && exportFile.variables === "yaml"}>
          Export YAML
        </Button>
      </Group>
      <ErrorAlert error={exportFile.error} title="The export failed" />
    </>
  );
}
