import { AZURE_RULES } from '../../../lib/azure/policy/rules';

describe('AZURE_RULES', () => {
  test('ids are unique and either a checkov id or our own PC_AZURE_ id', () => {
    const ids = AZURE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(CKV2?_AZURE_\d+|PC_AZURE_[A-Z0-9_]+)$/);
    expect(ids).toHaveLength(51);
  });

  test('the pack holds the network, compute, storage, key vault, backup, container, log and API check rules', () => {
    expect(AZURE_RULES.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'CKV_AZURE_9',
        'CKV_AZURE_10',
        'CKV_AZURE_77',
        'CKV_AZURE_160',
        'PC_AZURE_NSG_INTERNET_INGRESS',
        'CKV_AZURE_119',
        'CKV_AZURE_149',
        'CKV_AZURE_178',
        'CKV_AZURE_2',
        'CKV_AZURE_251',
        'CKV_AZURE_3',
        'CKV_AZURE_44',
        'CKV_AZURE_59',
        'CKV_AZURE_206',
        'CKV2_AZURE_38',
        'CKV2_AZURE_40',
        'CKV2_AZURE_47',
        'CKV_AZURE_110',
        'CKV_AZURE_189',
        'CKV2_AZURE_35',
        'CKV_AZURE_97',
        'PC_AZURE_VM_ENCRYPTION_AT_HOST',
        'PC_AZURE_LINUX_VM_NO_ADMIN_PASSWORD',
        'PC_AZURE_DISK_NETWORK_ACCESS_POLICY',
        'PC_AZURE_PUBLIC_IP_EDGE_ONLY',
        'PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS',
        'PC_AZURE_RSV_SOFT_DELETE',
        'PC_AZURE_RSV_IMMUTABILITY',
        'PC_AZURE_RSV_CROSS_REGION',
        'PC_AZURE_CONTAINER_APP_MIN_REPLICAS',
        'PC_AZURE_CONTAINER_APP_PROBES',
        'PC_AZURE_CONTAINER_APP_SECRET_ENV',
        'PC_AZURE_CONTAINER_APP_HTTPS_ONLY',
        'PC_AZURE_LOG_RETENTION',
        'PC_AZURE_VM_BACKUP',
        'PC_AZURE_PROVIDER_DATA_SAFE_FEATURES',
        'PC_AZURE_APP_INSIGHTS_LOCAL_AUTH',
        'PC_AZURE_APP_INSIGHTS_WORKSPACE',
        'PC_AZURE_WEB_TEST_HTTPS',
      ]),
    );
  });
});
