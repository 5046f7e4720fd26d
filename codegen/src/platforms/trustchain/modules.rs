//! The trustchain platform's modules: one function per generated module (its variables,
//! outputs, prose and HCL), plus the component table and what was left out.

use super::*;

fn https_services(s: &Spec) -> Hcl {
    Hcl::object(
        s.services
            .iter()
            .filter(|(_, v)| v.protocol == "https")
            .map(|(k, v)| {
                (
                    k.clone(),
                    Hcl::object([
                        ("port", Hcl::num(v.port)),
                        ("health_check_path", Hcl::str(&v.health_check_path)),
                    ]),
                )
            }),
    )
}

fn udp_services(s: &Spec) -> Hcl {
    Hcl::object(
        s.services
            .iter()
            .filter(|(_, v)| v.protocol == "udp")
            .map(|(k, v)| {
                (
                    k.clone(),
                    Hcl::object([
                        ("port", Hcl::num(v.port)),
                        (
                            "health_check_port",
                            Hcl::num(v.health_check_port.unwrap_or(v.port)),
                        ),
                        ("health_check_path", Hcl::str(&v.health_check_path)),
                    ]),
                )
            }),
    )
}

pub(super) fn networking(s: &Spec) -> ModuleView {
    let n = &s.networking;
    ModuleBuilder::new(P, "networking", "IPv6-only network", "IPv6-only multi-AZ VPC through `trustchain_ipv6_network`, with VPC flow logs and a closed default security group.")
        .prose("Creates the VPC, its Amazon-provided (or IPAM) IPv6 block, one subnet per tier and Availability Zone, the internet gateway, the egress-only internet gateway and routes in a single `trustchain_ipv6_network` resource, which orders the IPv6 subnet attribute changes that hashicorp/aws gets wrong (issues #32897, #46017).")
        .prose("Tiers are IPv6-native unless they host something that still needs IPv4 addresses: load balancers (ALB and NLB need IPv4 space in their subnets) and CloudHSM ENIs, so the `public` and `hsm` tiers default to dual-stack while instances run in the IPv6-only `private` tier. Every VPC must carry an IPv4 block; it is used only by the dual-stack tiers.")
        .prose("The network's dual-stack tiers get /28s: enough for the NAT gateway and the CloudHSM ENIs, but below the /27 an Application Load Balancer needs, and too small for the ALB, the UDP/QUIC load balancers and the NAT together. The load balancers therefore get their own dual-stack /26 per zone (`create_load_balancer_subnets`): IPv4 from a secondary VPC block (`load_balancer_ipv4_cidr`), IPv6 from the last tier slot of the network's subnet scheme, routed through the public tier's route table.")
        .prose("IPv6-only instances still call AWS endpoints that answer on IPv4 only (Systems Manager, CloudWatch and others). `enable_nat64` (on by default) puts a NAT gateway in the public tier and routes 64:ff9b::/96 to it from the private tier, whose DNS64 resolver synthesizes those addresses; S3 is reached through a dual-stack gateway endpoint and the services AWS serves over IPv6 through PrivateLink (`interface_endpoints`: KMS and STS by default) through IPv6-only interface endpoints, so that traffic never crosses the NAT.")
        .prose("Flow logs for all traffic go to an encrypted CloudWatch log group. The default security group is emptied so nothing can use it by accident.")
        .provider(aws_provider(&[]))
        .provider(trustchain_provider())
        .file("main.tf", "trustchain/networking/main.tf")
        .file("load_balancer_subnets.tf", "trustchain/networking/load_balancer_subnets.tf")
        .file("endpoints.tf", "trustchain/networking/endpoints.tf")
        .with(|b| flow_logs(b, n.flow_log_retention_days, &n.flow_log_traffic_type))
        .var(name_var(32))
        .var(tags_var())
        .var(
            Variable::new("ipv4_cidr", "string", "IPv4 block AWS requires on every VPC; only dual-stack tiers take addresses from it.")
                .default(Hcl::str(&n.ipv4_cidr))
                .validate("can(cidrhost(var.ipv4_cidr, 0)) && tonumber(split(\"/\", var.ipv4_cidr)[1]) >= 16 && tonumber(split(\"/\", var.ipv4_cidr)[1]) <= 28", "ipv4_cidr must be an IPv4 CIDR between /16 and /28 (an AWS VPC limit)."),
        )
        .var(Variable::new("ipv6_ipam_pool_id", "string", "IPAM pool to take the VPC's IPv6 block from; null uses an Amazon-provided /56.").default_null())
        .var(
            Variable::new("ipv6_netmask_length", "number", "Netmask length of the IPv6 block taken from `ipv6_ipam_pool_id`.")
                .default_null()
                .validate("var.ipv6_netmask_length == null || contains([44, 48, 52, 56], coalesce(var.ipv6_netmask_length, 56))", "ipv6_netmask_length must be 44, 48, 52 or 56 (a /60 holds a single tier of 16 zones)."),
        )
        .var(
            string_list("availability_zones", "Availability Zones to spread every tier across; the platform document asks for multi-AZ, so at least two.")
                .validate("length(var.availability_zones) >= 2", "Give at least two Availability Zones."),
        )
        .var(
            Variable::new("enable_nat64", "bool", "Create a NAT gateway and 64:ff9b::/96 routes so IPv6-only instances can reach IPv4-only endpoints through DNS64 (tiers with enable_dns64).")
                .default(Hcl::Bool(n.enable_nat64)),
        )
        .var(Variable::new("enable_s3_gateway_endpoint", "bool", "Dual-stack S3 gateway endpoint on the private tier's route tables (clients use S3's dual-stack names).").default(Hcl::Bool(true)))
        .var(
            string_list("interface_endpoints", "AWS services (endpoint service suffix, e.g. kms) that get an IPv6-only interface endpoint in the private tier; only services AWS serves over IPv6 through PrivateLink.")
                .default(Hcl::strs(&n.interface_endpoints))
                .validate("alltrue([for s in var.interface_endpoints : can(regex(\"^[a-z0-9.-]+$\", s))])", "interface_endpoints are endpoint service suffixes such as kms or sts."),
        )
        .var(
            Variable::new(
                "tiers",
                "list(object({\n  name                                           = string\n  kind                                           = string\n  ipv6_native                                    = optional(bool, true)\n  enable_dns64                                   = optional(bool, false)\n  enable_resource_name_dns_aaaa_record_on_launch = optional(bool, true)\n  private_dns_hostname_type_on_launch            = optional(string, \"resource-name\")\n}))",
                "Subnet tiers: `kind` is public (routes to the internet gateway), private (egress-only gateway) or isolated (no internet route).",
            )
            .default(Hcl::from_serialize(&n.tiers))
            .validate("alltrue([for t in var.tiers : contains([\"public\", \"private\", \"isolated\"], t.kind)])", "Each tier's kind must be public, private or isolated.")
            .validate("length(distinct([for t in var.tiers : t.name])) == length(var.tiers)", "Tier names must be unique.")
            .validate("length(var.tiers) <= 15", "At most 15 tiers: the load balancer subnets take the 16th slot of the subnet scheme."),
        )
        .var(Variable::new("create_load_balancer_subnets", "bool", "Create a dual-stack /26 per zone for the load balancers (the dual-stack tiers are /28s, below an ALB's /27 minimum).").default(Hcl::Bool(true)))
        .var(
            Variable::new("load_balancer_ipv4_cidr", "string", "Secondary IPv4 block of the VPC that the load balancer subnets take a /26 per zone from (zone letter a-p picks the /26).")
                .default(Hcl::str(&n.load_balancer_ipv4_cidr))
                .validate("can(cidrhost(var.load_balancer_ipv4_cidr, 0)) && tonumber(split(\"/\", var.load_balancer_ipv4_cidr)[1]) >= 16 && tonumber(split(\"/\", var.load_balancer_ipv4_cidr)[1]) <= 22", "load_balancer_ipv4_cidr must be an IPv4 CIDR between /16 and /22 (16 zones of /26)."),
        )
        .out("vpc_id", "trustchain_ipv6_network.this.vpc_id", "ID of the VPC.")
        .out("vpc_arn", "trustchain_ipv6_network.this.arn", "ARN of the VPC.")
        .out("ipv6_cidr_block", "trustchain_ipv6_network.this.ipv6_cidr_block", "IPv6 block of the VPC.")
        .out("ipv4_cidr_block", "var.ipv4_cidr", "IPv4 block of the VPC (dual-stack tiers only).")
        .out("subnets", "trustchain_ipv6_network.this.subnets", "Subnets per tier: id, availability_zone, ipv6_cidr_block, ipv4_cidr_block, route_table_id.")
        .out("subnet_ids", "{ for tier, subnets in trustchain_ipv6_network.this.subnets : tier => subnets[*].id }", "Subnet IDs per tier name.")
        .out("public_subnet_ids", "trustchain_ipv6_network.this.subnets[\"public\"][*].id", "IDs of the dual-stack public /28 subnets (NAT gateway).")
        .out("load_balancer_subnet_ids", "var.create_load_balancer_subnets ? [for az in var.availability_zones : aws_subnet.load_balancer[az].id] : trustchain_ipv6_network.this.subnets[\"public\"][*].id", "IDs of the dual-stack /26 load balancer subnets, in availability_zones order (the public subnets without create_load_balancer_subnets).")
        .out("private_subnet_ids", "trustchain_ipv6_network.this.subnets[\"private\"][*].id", "IDs of the IPv6-only private subnets (instances).")
        .out("hsm_subnet_ids", "trustchain_ipv6_network.this.subnets[\"hsm\"][*].id", "IDs of the isolated dual-stack subnets for CloudHSM.")
        .out("internet_gateway_id", "trustchain_ipv6_network.this.internet_gateway_id", "ID of the internet gateway.")
        .out("egress_only_internet_gateway_id", "trustchain_ipv6_network.this.egress_only_internet_gateway_id", "ID of the egress-only internet gateway.")
        .out("nat_gateway_id", "trustchain_ipv6_network.this.nat_gateway_id", "ID of the NAT64 gateway, null unless enable_nat64.")
        .out("s3_gateway_endpoint_id", "one(aws_vpc_endpoint.s3[*].id)", "ID of the S3 gateway endpoint.")
        .out("interface_endpoint_ids", "{ for k, e in aws_vpc_endpoint.interface : k => e.id }", "Interface endpoint IDs by service.")
        .finish()
}

pub(super) fn security(s: &Spec) -> ModuleView {
    let sec = &s.security;
    ModuleBuilder::new(P, "security", "Network security", "Least-privilege security groups, network ACLs, WAF with rate limiting and GuardDuty for the IPv6-only platform.")
        .prose("Security groups: the ALB accepts the HTTPS service ports from `client_ipv6_cidr_blocks`; instances accept HTTPS service ports only from the ALB, and the UDP/QUIC ports from clients directly, because a Network Load Balancer forwarding UDP preserves the client address and QUIC load balancers cannot carry security groups.")
        .prose("Network ACLs add a stateless layer on the public and private tiers (service ports and the ephemeral range in, everything out); the public tier also passes the IPv4 traffic of its NAT64 gateway (out to anywhere, replies back on the NAT's ports). The regional WAF web ACL applies a per-address rate limit and AWS managed rule groups and logs to CloudWatch. GuardDuty runs with the listed protection features and can send its findings to SNS; CloudTrail and AWS Config (shared with the Solidity platform) record the audit trail and evaluate compliance rules. GuardDuty allows one detector and AWS Config one recorder and delivery channel per account and region, and the multi-region trail records the whole account: `create_guardduty_detector`, `create_config_recorder` and `create_cloudtrail` let exactly one configuration per account own them (the examples give that to one environment).")
        .provider(aws_provider(&[]))
        .file("security_groups.tf", "trustchain/security/security_groups.tf")
        .file("network_acls.tf", "trustchain/security/network_acls.tf")
        .with(|b| sec.common().module_parts(b, None, &["EC2_AGENT_MANAGEMENT"]))
        .var(name_var(32))
        .var(tags_var())
        .var(Variable::new("vpc_id", "string", "ID of the VPC (networking module output `vpc_id`)."))
        .var(Variable::new("vpc_ipv6_cidr_block", "string", "IPv6 block of the VPC, allowed for traffic between tiers.")
            // The source of ingress rules that admit anything on every port: never the world.
            .validate("can(cidrhost(var.vpc_ipv6_cidr_block, 0)) && strcontains(var.vpc_ipv6_cidr_block, \":\") && tonumber(split(\"/\", var.vpc_ipv6_cidr_block)[1]) >= 44", "vpc_ipv6_cidr_block must be the VPC's IPv6 block (a /44 or longer), never ::/0: rules admit it on every port."))
        .var(Variable::new("vpc_ipv4_cidr_block", "string", "IPv4 block of the VPC (dual-stack tiers, e.g. CloudHSM ENIs).")
            .validate("can(cidrhost(var.vpc_ipv4_cidr_block, 0)) && !strcontains(var.vpc_ipv4_cidr_block, \":\") && tonumber(split(\"/\", var.vpc_ipv4_cidr_block)[1]) >= 16", "vpc_ipv4_cidr_block must be the VPC's IPv4 block (a /16 to /28), never 0.0.0.0/0: rules admit it on every port."))
        .var(string_list("public_subnet_ids", "Subnets of the public tier; they get the public network ACL."))
        .var(string_list("load_balancer_subnet_ids", "The load balancer subnets (networking output load_balancer_subnet_ids when they are separate); they get the public network ACL too.").default(Hcl::List(Vec::new())))
        .var(string_list("private_subnet_ids", "Subnets of the private tier; they get the private network ACL."))
        .var(
            string_list("client_ipv6_cidr_blocks", "IPv6 ranges allowed to reach the public service ports.")
                .default(Hcl::strs(&sec.client_ipv6_cidr_blocks))
                .validate("alltrue([for c in var.client_ipv6_cidr_blocks : can(cidrhost(c, 0)) && strcontains(c, \":\")])", "client_ipv6_cidr_blocks must be IPv6 CIDR blocks."),
        )
        .var(
            Variable::new("https_service_ports", "map(number)", "HTTPS service ports served through the ALB, by service name.")
                .default(Hcl::object(s.services.iter().filter(|(_, v)| v.protocol == "https").map(|(k, v)| (k.clone(), Hcl::num(v.port)))))
                .validate("alltrue([for p in values(var.https_service_ports) : p >= 1 && p <= 65535])", "Ports are 1-65535."),
        )
        .var(
            Variable::new("udp_service_ports", "map(number)", "UDP/QUIC service ports served through the QUIC load balancer, by service name.")
                .default(Hcl::object(s.services.iter().filter(|(_, v)| v.protocol == "udp").map(|(k, v)| (k.clone(), Hcl::num(v.port)))))
                .validate("alltrue([for p in values(var.udp_service_ports) : p >= 1 && p <= 65535])", "Ports are 1-65535."),
        )
        .out("alb_security_group_id", "aws_security_group.alb.id", "Security group of the Application Load Balancer.")
        .out("instance_security_group_id", "aws_security_group.instances.id", "Security group of the service instances.")
        .out("network_acl_ids", "{ for k, acl in aws_network_acl.this : k => acl.id }", "Network ACL IDs by tier (public, private).")
        .out("web_acl_arn", "aws_wafv2_web_acl.this.arn", "ARN of the WAF web ACL (associate it with the ALB).")
        .out("web_acl_id", "aws_wafv2_web_acl.this.id", "ID of the WAF web ACL.")
        .finish()
}

pub(super) fn compute(s: &Spec) -> ModuleView {
    let c = &s.compute;
    ModuleBuilder::new(P, "compute", "Compute", "ARM (Graviton) launch template and Auto Scaling group with performance-based scaling and a placement group.")
        .prose("The launch template enforces IMDSv2 (tokens required, hop limit 1, IMDS reachable over IPv6 as the instances are IPv6-only), encrypts the gp3 root volume with the given KMS key at the document's 3,000 IOPS / 125 MB/s, enables detailed monitoring and registers AAAA resource-name DNS records.")
        .prose("The instance role has Session Manager, the CloudWatch agent and the X-Ray daemon, and read/write access to the platform's buckets (`bucket_arns`) with the keys that encrypt them (`kms_key_arns`).")
        .prose("The Auto Scaling group keeps 2 to 6 instances and scales on CPU and network throughput (target tracking). Cluster placement groups give the lowest latency but live in a single Availability Zone: with `placement_strategy = \"cluster\"` pass the subnets of one AZ (validated), or use `spread` to keep multi-AZ redundancy.")
        .provider(aws_provider(&[]))
        .file("main.tf", "trustchain/compute/main.tf")
        .file("iam.tf", "trustchain/compute/iam.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(
            Variable::new("instance_type", "string", "EC2 instance type; ARM (Graviton) types only, as the AMI is arm64.")
                .default(Hcl::str(&c.instance_type))
                .validate("can(regex(\"^[a-z][0-9]+[a-z]*g[a-z]*\\\\.[0-9a-z]+$\", var.instance_type))", "instance_type must be a Graviton (arm64) type such as c6g.4xlarge."),
        )
        .var(Variable::new("ami_ssm_parameter", "string", "SSM parameter holding the arm64 AMI ID to launch.").default(Hcl::str(&c.ami_ssm_parameter)))
        .var(string_list("subnet_ids", "Subnets for the instances (IPv6-only private tier)."))
        .var(string_list("security_group_ids", "Security groups attached to the instances."))
        .var(string_list("target_group_arns", "Load balancer target groups the Auto Scaling group registers instances with.").default(Hcl::List(Vec::new())))
        .var(Variable::new("min_size", "number", "Minimum number of instances.").default(Hcl::num(c.min_size)).validate("var.min_size >= 0", "min_size must not be negative."))
        .var(Variable::new("max_size", "number", "Maximum number of instances.").default(Hcl::num(c.max_size)).validate("var.max_size >= var.min_size", "max_size must be at least min_size."))
        .var(
            Variable::new("desired_capacity", "number", "Instances to start with; scaling policies move it between min_size and max_size.")
                .default(Hcl::num(c.desired_capacity))
                .validate("var.desired_capacity >= var.min_size && var.desired_capacity <= var.max_size", "desired_capacity must be between min_size and max_size."),
        )
        .var(Variable::new("root_volume_size", "number", "Root volume size in GiB.").default(Hcl::num(c.root_volume_size)).validate("var.root_volume_size >= 8 && var.root_volume_size <= 65536", "gp3 volumes are 8 GiB (AMI minimum) to 64 TiB."))
        .var(Variable::new("root_volume_iops", "number", "Provisioned IOPS of the gp3 root volume.").default(Hcl::num(c.root_volume_iops)).validate("var.root_volume_iops >= 3000 && var.root_volume_iops <= 80000", "gp3 IOPS are 3,000 to 80,000."))
        .var(Variable::new("root_volume_throughput", "number", "Throughput of the gp3 root volume in MiB/s.").default(Hcl::num(c.root_volume_throughput)).validate("var.root_volume_throughput >= 125 && var.root_volume_throughput <= 2000", "gp3 throughput is 125 to 2,000 MiB/s."))
        .var(
            Variable::new("placement_strategy", "string", "Placement group strategy: cluster (one AZ, lowest latency), partition or spread.")
                .default(Hcl::str(&c.placement_strategy))
                .validate("contains([\"cluster\", \"partition\", \"spread\"], var.placement_strategy)", "placement_strategy must be cluster, partition or spread.")
                .validate("var.placement_strategy != \"cluster\" || length(var.subnet_ids) == 1", "A cluster placement group lives in one Availability Zone: pass one subnet, or use spread for multi-AZ."),
        )
        .var(Variable::new("cpu_target_utilization", "number", "Average CPU utilization (percent) the Auto Scaling group tracks.").default(Hcl::num(c.cpu_target_utilization)).validate("var.cpu_target_utilization >= 10 && var.cpu_target_utilization <= 95", "Use a CPU target between 10 and 95 percent."))
        .var(Variable::new("network_out_target_bytes", "number", "Average bytes sent per instance per minute the Auto Scaling group tracks (STOQ throughput).").default(Hcl::num(c.network_out_target_bytes)))
        .var(Variable::new("use_spot_instances", "bool", "Launch spot instances (development only: they can be reclaimed at two minutes' notice).").default(Hcl::Bool(false)))
        .var(Variable::new("user_data", "string", "Cloud-init user data (plain text; the module base64-encodes it).").default_null())
        .var(kms_key_var("ebs_kms_key_arn", "the root volumes"))
        .var(string_list("bucket_arns", "S3 buckets the services read and write (storage output bucket_arns): CT logs, certificates, configuration, backups.").default(Hcl::List(Vec::new())))
        .var(string_list("kms_key_arns", "KMS keys the services encrypt and decrypt their data with (the storage key).").default(Hcl::List(Vec::new())))
        .out("autoscaling_group_name", "aws_autoscaling_group.this.name", "Name of the Auto Scaling group.")
        .out("autoscaling_group_arn", "aws_autoscaling_group.this.arn", "ARN of the Auto Scaling group.")
        .out("launch_template_id", "aws_launch_template.this.id", "ID of the launch template.")
        .out("launch_template_latest_version", "aws_launch_template.this.latest_version", "Latest version of the launch template.")
        .out("placement_group_id", "aws_placement_group.this.id", "ID of the placement group.")
        .out("iam_role_arn", "aws_iam_role.this.arn", "ARN of the instance role.")
        .out("iam_role_name", "aws_iam_role.this.name", "Name of the instance role (attach service policies to it).")
        .out("instance_profile_arn", "aws_iam_instance_profile.this.arn", "ARN of the instance profile.")
        .finish()
}

pub(super) fn load_balancer(s: &Spec) -> ModuleView {
    let lb = &s.load_balancer;
    ModuleBuilder::new(P, "load_balancer", "Load balancing", "ALB with TLS 1.3 for the HTTPS services and `trustchain_quic_load_balancer` for the UDP/QUIC services.")
        .prose("The Application Load Balancer is dual-stack without public IPv4 (clients reach it over IPv6 only), terminates TLS 1.3 with the ACM certificate, drops invalid headers, has deletion protection on and writes access logs. One listener and one IPv6 target group per HTTPS service (8443 CA, 6962 CT, 8445 HyperMesh, 8446 integration API) with an HTTPS health check.")
        .prose("The document's \"NLB for IPv6 UDP services\" (8853 DNS-over-QUIC, 8444 STOQ) maps to `trustchain_quic_load_balancer`. AWS forces a choice, exposed as `udp_service_mode`: `dualstack_udp` (default) is one dual-stack NLB with UDP listeners, IPv6 target groups and the IPv6 source-NAT prefix, so IPv6 clients connect; `quic` is one IPv4 NLB per service with a QUIC listener (AWS allows a single QUIC listener per NLB, no dual-stack) and QUIC connection-ID stickiness, which needs explicit targets with a `quic_server_id` (`quic_targets`). Health checks use TCP/HTTP/HTTPS, since UDP health checks do not exist.")
        .provider(aws_provider(&[]))
        .provider(trustchain_provider())
        .file("alb.tf", "trustchain/load_balancer/alb.tf")
        .file("quic.tf", "trustchain/load_balancer/quic.tf")
        .var(name_var(20))
        .var(tags_var())
        .var(Variable::new("vpc_id", "string", "ID of the VPC the target groups live in."))
        .var(string_list("subnet_ids", "Dual-stack public subnets for the load balancers, one per Availability Zone, /27 or larger (networking output load_balancer_subnet_ids)."))
        .var(string_list("alb_security_group_ids", "Security groups of the ALB."))
        .var(Variable::new("certificate_arn", "string", "ACM certificate the HTTPS listeners present."))
        .var(Variable::new("associate_web_acl", "bool", "Associate web_acl_arn with the ALB (a switch, because the ARN is usually unknown until apply).").default(Hcl::Bool(true)))
        .var(Variable::new("web_acl_arn", "string", "WAF web ACL to associate with the ALB.").default_null())
        .var(Variable::new("enable_access_logs", "bool", "Write ALB access logs to access_logs_bucket.").default(Hcl::Bool(true)))
        .var(Variable::new("access_logs_bucket", "string", "S3 bucket (SSE-S3) receiving ALB access logs under alb/<name>/.").default_null())
        .var(
            Variable::new("ssl_policy", "string", "TLS policy of the HTTPS listeners; the document requires TLS 1.3.")
                .default(Hcl::str(&lb.ssl_policy))
                .validate("startswith(var.ssl_policy, \"ELBSecurityPolicy-TLS13-\")", "Use an ELBSecurityPolicy-TLS13-* policy (TLS 1.3)."),
        )
        .var(
            Variable::new("https_services", "map(object({\n  port              = number\n  health_check_path = string\n}))", "HTTPS services behind the ALB: listener port (also the target port) and health check path.")
                .default(https_services(s))
                .validate("alltrue([for s in values(var.https_services) : s.port >= 1 && s.port <= 65535])", "Ports are 1-65535.")
                .validate(
                    "alltrue([for s in values(var.https_services) : startswith(s.health_check_path, \"/\") && length(s.health_check_path) <= 1024 && length(regexall(\"\\\\s\", s.health_check_path)) == 0])",
                    "health_check_path is the service's health endpoint: an absolute path (/health), at most 1024 characters, no spaces (Elastic Load Balancing requests it on every target).",
                ),
        )
        .var(
            Variable::new("udp_services", "map(object({\n  port              = number\n  health_check_port = number\n  health_check_path = string\n}))", "UDP/QUIC services: listener port (also the target port) and the HTTPS port and path used for health checks.")
                .default(udp_services(s))
                .validate("alltrue([for s in values(var.udp_services) : s.port >= 1 && s.port <= 65535 && s.health_check_port >= 1 && s.health_check_port <= 65535])", "Ports are 1-65535.")
                .validate(
                    "alltrue([for s in values(var.udp_services) : startswith(s.health_check_path, \"/\") && length(s.health_check_path) <= 1024 && length(regexall(\"\\\\s\", s.health_check_path)) == 0])",
                    "health_check_path is the service's HTTPS health endpoint: an absolute path (/health), at most 1024 characters, no spaces (Elastic Load Balancing requests it on every target).",
                ),
        )
        .var(
            Variable::new("udp_service_mode", "string", "dualstack_udp: one dual-stack NLB with UDP listeners and IPv6 targets (IPv6 clients). quic: one IPv4 NLB per service with a QUIC listener and connection-ID stickiness (IPv4 clients only).")
                .default(Hcl::str(&lb.udp_service_mode))
                .validate("contains([\"dualstack_udp\", \"quic\"], var.udp_service_mode)", "udp_service_mode must be dualstack_udp or quic."),
        )
        .var(
            Variable::new("quic_targets", "map(object({\n  service        = string\n  target_id      = string\n  port           = optional(number)\n  quic_server_id = optional(string)\n}))", "Targets of the QUIC listeners (quic mode only): instance ID and its QUIC server ID, unique per listener (derived from the target and port when left out).")
                .default(Hcl::object(Vec::<(String, Hcl)>::new()))
                .validate("alltrue([for t in values(var.quic_targets) : t.quic_server_id == null || can(regex(\"^0x[0-9a-f]{16}$\", t.quic_server_id))])", "quic_server_id is 0x followed by 16 lowercase hex digits (or left out).")
                .validate("alltrue([for t in values(var.quic_targets) : contains(keys(var.udp_services), t.service)])", "Each quic target's service must be a key of udp_services."),
        )
        .var(Variable::new("deregistration_delay", "number", "Seconds a deregistering target keeps serving in-flight requests.").default(Hcl::num(lb.deregistration_delay)).validate("var.deregistration_delay >= 0 && var.deregistration_delay <= 3600", "deregistration_delay is 0-3600 seconds."))
        .var(Variable::new("idle_timeout", "number", "ALB idle timeout in seconds.").default(Hcl::num(lb.idle_timeout)).validate("var.idle_timeout >= 1 && var.idle_timeout <= 4000", "idle_timeout is 1-4000 seconds."))
        .var(Variable::new("enable_deletion_protection", "bool", "Protect the load balancers from deletion.").default(Hcl::Bool(true)))
        .out("alb_arn", "aws_lb.this.arn", "ARN of the ALB.")
        .out("alb_arn_suffix", "aws_lb.this.arn_suffix", "ARN suffix of the ALB (CloudWatch dimension).")
        .out("alb_dns_name", "aws_lb.this.dns_name", "DNS name of the ALB.")
        .out("alb_zone_id", "aws_lb.this.zone_id", "Route 53 zone ID of the ALB (alias records).")
        .out("alb_target_group_arns", "{ for k, tg in aws_lb_target_group.https : k => tg.arn }", "ALB target group ARNs by service.")
        .out("alb_target_group_arn_suffixes", "{ for k, tg in aws_lb_target_group.https : k => tg.arn_suffix }", "ALB target group ARN suffixes by service (CloudWatch dimension; dns module health alarms).")
        .out("https_listener_arns", "{ for k, l in aws_lb_listener.https : k => l.arn }", "HTTPS listener ARNs by service.")
        .out("nlb_dns_names", "{ for k, lb in trustchain_quic_load_balancer.this : k => lb.dns_name }", "DNS names of the UDP/QUIC load balancers (key `udp` in dualstack_udp mode, the service name in quic mode).")
        .out("nlb_zone_ids", "{ for k, lb in trustchain_quic_load_balancer.this : k => lb.zone_id }", "Route 53 zone IDs of the UDP/QUIC load balancers.")
        .out("service_nlb", "local.service_nlb", "Key of the UDP/QUIC load balancer serving each UDP service.")
        .out("nlb_record_type", "local.quic_mode ? \"A\" : \"AAAA\"", "DNS record type that reaches the UDP/QUIC load balancers: AAAA (dual-stack) or A (IPv4 QUIC mode).")
        .out("udp_target_group_arns", "local.udp_target_group_arns", "UDP/QUIC target group ARNs by service.")
        .out("target_group_arns", "concat(values(aws_lb_target_group.https)[*].arn, local.quic_mode ? [] : values(local.udp_target_group_arns))", "Target groups the Auto Scaling group registers with (QUIC target groups need explicit targets and are left out).")
        .finish()
}

pub(super) fn hsm(s: &Spec) -> ModuleView {
    let h = &s.hsm;
    ModuleBuilder::new(P, "hsm", "Hardware security modules and KMS", "CloudHSM cluster (FIPS 140-2 Level 3) with HSMs in two Availability Zones and initialization, plus KMS keys with rotation.")
        .prose("The cluster, its HSMs and its initialization use the `trustchain_cloudhsm_*` resources, because hashicorp/aws cannot initialize a cluster, set the network type or the backup retention. The first HSM is created alone and the others only after initialization: AWS rejects a second HSM while the first is not active (hashicorp/aws #7437).")
        .prose("Initialization signs the cluster CSR with the issuing CA: either give `signed_cert_pem` (signed offline, the CA key never reaches Terraform; recommended), or give the issuing CA certificate and key; the key is an ephemeral, sensitive variable sent through a write-only argument, so it is never stored in state or plan, but it is on the machine that runs Terraform. Before anything is signed or sent, the provider verifies the HSM as AWS's user guide does (\"Verify the identity and authenticity of your cluster's HSM\"): the CSR's key is the HSM certificate's, which chains to the AWS CloudHSM root and to the manufacturer root. The provider embeds the AWS root and the hsm1 manufacturer root; for `hsm2m.medium` give the Marvell LiquidSecurity 2 root (from Marvell, fingerprint checked) in `hsm_trust_roots_pem`. Activation (setting the admin password with `cloudhsm-cli cluster activate`) is a data-plane step no provider can do.")
        .prose("The offline ceremony takes two applies. **Apply 1**: leave `trust_anchor_pem` (and `signed_cert_pem`) null; the module creates the cluster and its first HSM only, however many `hsm_availability_zones` you list, and the `cluster_csr` output holds the CSR once that HSM is ACTIVE (`terraform output -raw cluster_csr > cluster.csr`). **Offline**: check the HSM's identity if you wish (user guide, \"Verify the identity and authenticity of your cluster's HSM\"), then sign `cluster.csr` with your root CA, the self-signed RSA 2048 or 4096 certificate that will be the trust anchor (for example `openssl x509 -req -in cluster.csr -CA root.crt -CAkey root.key -days 3652 -sha256 -out cluster.crt`). **Apply 2**: set `trust_anchor_pem` to the root certificate (root.crt) and `signed_cert_pem` to the signed certificate (cluster.crt), plus `hsm_trust_roots_pem` for hsm2m; the module initializes the cluster (the provider verifies the HSM again before InitializeCluster) and then adds the other HSMs.")
        .prose("AWS gives the cluster a security group that admits only its own HSMs; the module opens it on the client ports 2223-2225 to `client_security_group_ids`. With `network_type = \"DUALSTACK\"` the HSM ENIs also get IPv6 addresses, which is how the IPv6-only service instances reach them.")
        .prose("HSM audit logs land in the `/aws/cloudhsm/<cluster-id>` log group, created here with retention and encryption. KMS keys (one per data type) rotate automatically; their policies let the listed AWS services use them on behalf of this account only (an aws:SourceAccount condition; CloudWatch Logs by its log-group encryption context). Roles named in `iam_role_names` (the Auto Scaling service-linked role, which launches instances with encrypted volumes) are matched by an aws:PrincipalArn condition, not named as principals: KMS refuses a key policy whose principals do not exist yet, and a fresh account has no service-linked role until its service creates it.")
        .provider(aws_provider(&[]))
        .provider(trustchain_provider())
        .file("cloudhsm.tf", "trustchain/hsm/cloudhsm.tf")
        .file("cloudhsm_aws.tf", "trustchain/hsm/cloudhsm_aws.tf")
        .file("kms.tf", "shared/kms.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(Variable::new("create_cloudhsm_cluster", "bool", "Create the CloudHSM cluster; false creates only the KMS keys (e.g. in the secondary region).").default(Hcl::Bool(true)))
        .var(string_list("subnet_ids", "Subnets for the cluster, one per Availability Zone (the isolated dual-stack hsm tier).").default(Hcl::List(Vec::new())))
        .var(string_list("client_security_group_ids", "Security groups of the CloudHSM clients (the service instances), let into the cluster's security group on ports 2223-2225.").default(Hcl::List(Vec::new())))
        .var(
            Variable::new("hsm_availability_zones", "list(string)", "Availability Zones that get an HSM; the first is created before initialization, the rest after.")
                .default(Hcl::List(Vec::new()))
                .validate("length(var.hsm_availability_zones) <= 28", "A cluster holds at most 28 HSMs."),
        )
        // hsm1.medium reached end of life on December 1, 2025 (AWS Security Blog, "How to
        // migrate your AWS CloudHSM hsm1 cluster to hsm2"): CreateCluster takes hsm2m.medium.
        .var(Variable::new("hsm_type", "string", "HSM type: hsm2m.medium (hsm1.medium reached end of life on December 1, 2025; AWS migrated existing hsm1 clusters).").default(Hcl::str(&h.hsm_type)).validate("contains([\"hsm2m.medium\"], var.hsm_type)", "hsm_type must be hsm2m.medium: CloudHSM no longer creates hsm1.medium clusters (end of life December 1, 2025)."))
        .var(
            Variable::new("mode", "string", "FIPS (FIPS 140-2 Level 3 validated mode) or NON_FIPS (hsm2m.medium only). Immutable.")
                .default(Hcl::str(&h.mode))
                .validate("contains([\"FIPS\", \"NON_FIPS\"], var.mode)", "mode must be FIPS or NON_FIPS.")
                .validate("var.mode == \"FIPS\" || var.hsm_type == \"hsm2m.medium\"", "NON_FIPS mode needs hsm_type hsm2m.medium."),
        )
        .var(Variable::new("network_type", "string", "IPV4 or DUALSTACK (needs subnets with IPv6 blocks).").default(Hcl::str(&h.network_type)).validate("contains([\"IPV4\", \"DUALSTACK\"], var.network_type)", "network_type must be IPV4 or DUALSTACK."))
        .var(Variable::new("backup_retention_days", "number", "Days CloudHSM keeps cluster backups.").default(Hcl::num(h.backup_retention_days)).validate("var.backup_retention_days >= 7 && var.backup_retention_days <= 379", "CloudHSM keeps backups 7 to 379 days."))
        .var(Variable::new("source_backup_id", "string", "Restore the cluster from this backup instead of starting empty.").default_null())
        .var(Variable::new("trust_anchor_pem", "string", "Self-signed root certificate (PEM) that anchors the cluster; null skips initialization and creates only the first HSM (apply 1 of the offline ceremony).").default_null())
        .var(Variable::new("hsm_trust_roots_pem", "string", "More roots (PEM bundle) the HSM's hardware certificates may chain to, beside the AWS CloudHSM root and the hsm1 manufacturer root the provider embeds: the Marvell LiquidSecurity 2 root for hsm2m.medium. Only adds roots; the HSM identity check cannot be switched off.").default_null()
            // The provider embeds hsm1's manufacturer root only: initializing an hsm2m.medium
            // cluster without the Marvell root fails the identity check at apply, after the
            // first HSM is created (and billed).
            .validate("var.trust_anchor_pem == null || var.hsm_type != \"hsm2m.medium\" || var.hsm_trust_roots_pem != null", "hsm_trust_roots_pem must hold the Marvell LiquidSecurity 2 root (check its fingerprint with Marvell) to initialize an hsm2m.medium cluster: the provider embeds only hsm1's manufacturer root, so the HSM identity check would fail at apply, after the first HSM is created."))
        .var(Variable::new("signed_cert_pem", "string", "Cluster CSR signed offline by the issuing CA (PEM). Use this or the issuing CA key.").default_null())
        .var(Variable::new("issuing_ca_certificate_pem", "string", "Issuing CA certificate (PEM) used to sign the cluster CSR during apply.").default_null())
        .var(Variable::new("issuing_ca_private_key_pem", "string", "Issuing CA private key (PEM). Ephemeral and write-only: never stored in state or plan.").default_null().sensitive().ephemeral())
        .var(Variable::new("issuing_ca_private_key_version", "number", "Bump to send a new issuing CA key (write-only arguments are not diffed).").default(Hcl::num(1)))
        .var(log_retention_var("audit_log_retention_days", "CloudHSM audit logs", h.audit_log_retention_days))
        .var(Variable::new("log_kms_key_arn", "string", "KMS key for the audit log group; null uses the `logs` key created here.").default_null())
        .vars(kms_vars(&h.kms_keys, h.key_rotation_period_days, h.key_deletion_window_days, &kms_services_trustchain()))
        .out("cluster_id", "one(trustchain_cloudhsm_cluster.this[*].cluster_id)", "ID of the CloudHSM cluster.")
        .out("cluster_state", "try(trustchain_cloudhsm_cluster_initialization.this[0].cluster_state, one(trustchain_cloudhsm_cluster.this[*].cluster_state))", "State of the cluster (INITIALIZED after initialization; ACTIVE after activation).")
        .out("cluster_csr", "local.initialize ? null : try(data.trustchain_cloudhsm_cluster.awaiting_initialization[0].cluster_csr, one(trustchain_cloudhsm_cluster.this[*].cluster_csr))", "Cluster CSR to sign offline (apply 1 of the offline ceremony); pass the signed certificate as signed_cert_pem with trust_anchor_pem in apply 2.")
        .out("initialized", "local.initialize", "Whether an initialization is declared; while false only the first HSM exists.")
        .out("cluster_certificate", "try(trustchain_cloudhsm_cluster_initialization.this[0].cluster_certificate, null)", "Cluster certificate after initialization.")
        .out("security_group_id", "one(trustchain_cloudhsm_cluster.this[*].security_group_id)", "Security group AWS created for the cluster ENIs.")
        .out("hsm_ids", "concat(trustchain_cloudhsm_hsm.primary[*].hsm_id, values(trustchain_cloudhsm_hsm.secondary)[*].hsm_id)", "IDs of the HSMs.")
        .out("hsm_ip_addresses", "concat(trustchain_cloudhsm_hsm.primary[*].ip_address, values(trustchain_cloudhsm_hsm.secondary)[*].ip_address)", "IPv4 addresses of the HSM ENIs.")
        .out("audit_log_group_name", "one(aws_cloudwatch_log_group.audit[*].name)", "Log group holding the HSM audit logs.")
        .with(kms_outputs)
        .finish()
}

pub fn kms_services_trustchain() -> KmsUsers {
    vec![
        ("backup", vec!["backup.amazonaws.com"], vec![]),
        ("ebs", vec!["ec2.amazonaws.com"], vec![ASG_SERVICE_ROLE]),
        (
            "logs",
            vec!["cloudtrail.amazonaws.com", "logs.{region}.amazonaws.com"],
            vec![],
        ),
        (
            "sns",
            vec![
                "cloudwatch.amazonaws.com",
                "events.amazonaws.com",
                "sns.amazonaws.com",
            ],
            vec![],
        ),
        ("storage", vec!["s3.amazonaws.com"], vec![]),
    ]
}

pub(super) fn storage(s: &Spec) -> ModuleView {
    let st = &s.storage;
    let buckets = Hcl::object(st.buckets.iter().map(|b| {
        let mut o = Vec::new();
        if st.archive_buckets.contains(b) {
            o.push(("archive", Hcl::Bool(true)));
        }
        o.extend([
            ("retention_days", Hcl::num(st.retention_days)),
            (
                "transition_to_glacier_days",
                Hcl::num(st.transition_to_glacier_days),
            ),
            ("transition_to_ia_days", Hcl::num(st.transition_to_ia_days)),
        ]);
        (b.clone(), Hcl::object(o))
    }));
    ModuleBuilder::new(P, "storage", "Storage", "S3 buckets for CT logs, certificates, configuration and backups: KMS, versioning, public access block, 7-year lifecycle, cross-region replication.")
        .prose("Every bucket is private (public access block, bucket-owner-enforced ownership, TLS-only policy), versioned, encrypted with the customer-managed KMS key (bucket keys on), logs access to the access-log bucket, and expires objects after the retention period (7 years: the document's legal requirement) with transitions to cheaper classes on the way. The services keep reading CT log entries, certificates and configuration, so those move to Glacier Instant Retrieval (served at once); only the `backups` bucket is an archive and moves to Glacier Flexible Retrieval, whose objects must be restored before they can be read.")
        .prose("With `enable_replication`, each bucket replicates to a bucket in the secondary region (provider alias `aws.replica`) encrypted with `replica_kms_key_arn`. The access-log bucket uses SSE-S3 because S3 server access logging and ALB access logs cannot write to KMS-encrypted buckets.")
        .provider(aws_provider(&["aws.replica"]))
        .with(|b| s3_buckets(b, buckets, st.noncurrent_version_expiration_days, st.enable_replication))
        .var(name_var(40))
        .var(tags_var())
        .finish()
}

pub(super) fn monitoring(s: &Spec) -> ModuleView {
    let m = &s.monitoring;
    let ns = &m.metric_namespace;
    let alarms = Hcl::object([
        (
            "certificate_operation_latency",
            alarm(
                ns,
                "CertificateOperationLatency",
                "p99",
                trim_float(m.certificate_operation_latency_ms.into()),
                "GreaterThanThreshold",
                &format!(
                    "p99 certificate operation latency above the {} ms target",
                    m.certificate_operation_latency_ms
                ),
            ),
        ),
        (
            "dns_resolution_latency",
            alarm(
                ns,
                "DnsResolutionLatency",
                "p99",
                trim_float(m.dns_resolution_latency_ms.into()),
                "GreaterThanThreshold",
                &format!(
                    "p99 IPv6 DNS resolution latency above the {} ms target",
                    m.dns_resolution_latency_ms
                ),
            ),
        ),
        (
            "availability",
            alarm(
                ns,
                "Availability",
                "Average",
                trim_float(m.availability_percent),
                "LessThanThreshold",
                &format!("availability below the {}% target", m.availability_percent),
            ),
        ),
        (
            "certificate_throughput",
            alarm(
                ns,
                "CertificateOperations",
                "Sum",
                trim_float(f64::from(m.certificate_operations_per_second) * 60.0),
                "LessThanThreshold",
                &format!(
                    "fewer than {} certificate operations per second while traffic is offered",
                    m.certificate_operations_per_second
                ),
            ),
        ),
        (
            "alb_target_5xx",
            alarm(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                "Sum",
                trim_float(10.0),
                "GreaterThanThreshold",
                "more than 10 5XX answers a minute from the targets behind the ALB",
            ),
        ),
    ]);
    monitoring_module(P, "Monitoring", "CloudWatch dashboard, alarms on the platform targets (<35 ms certificate operations, <100 ms DNS, 99.99% availability), a composite alarm, SNS email/SMS alerts, log groups and X-Ray sampling.", m.log_retention_days, &m.log_groups, alarms, Some(m.xray_sampling_rate))
        .var(crate::platforms::shared::sns_publishers_var(&["cloudwatch.amazonaws.com", "events.amazonaws.com"]))
        .prose("Alarm thresholds come from the document's performance targets: certificate operations under 35 ms, IPv6 DNS resolution under 100 ms, 99.99% availability, 1,000+ certificate operations per second. The services publish these as custom metrics in the `TrustChain` namespace; a composite alarm raises one page when any of them fires.")
        .finish()
}

pub(super) fn certificates(s: &Spec) -> ModuleView {
    s.certificates.module(P, &s.platform.domain)
}

pub(super) fn dns(s: &Spec) -> ModuleView {
    let d = &s.dns;
    let hosts = Hcl::object(s.services.iter().map(|(k, v)| {
        let mut o = vec![
            ("hostname", Hcl::str(&v.hostname)),
            (
                "target",
                Hcl::str(if v.protocol == "https" { "alb" } else { "nlb" }),
            ),
        ];
        if v.protocol == "https" {
            o.push(("health_check", Hcl::Bool(true)));
        }
        (k.clone(), Hcl::object(o))
    }));
    ModuleBuilder::new(P, "dns", "DNS", "Route 53 hosted zone, IPv6 AAAA alias records for every service, CAA records, health checks, DNSSEC and query logging.")
        .prose("Creates the public hosted zone for the platform domain and one AAAA alias record per service host, pointing at the ALB (HTTPS services) or at the UDP/QUIC load balancer (DNS-over-QUIC, STOQ). The records are AAAA: the platform is IPv6-only. The one exception is `udp_service_mode = \"quic\"`, whose NLBs AWS serves over IPv4 only; their names get A records (`nlb_record_type`), since an AAAA alias to them would resolve to nothing. CAA records restrict which authorities may issue certificates for the domain.")
        .prose("Each HTTPS service gets a Route 53 health check. Route 53 resolves a health check's domain name to an IPv4 address only and the ALB's IPv6 addresses change, so the checks follow a CloudWatch alarm on the healthy targets behind each service (type `CLOUDWATCH_METRIC`) instead of probing the AAAA-only names.")
        .prose("DNSSEC signing and query logging are turned on when their inputs are given: a KMS key in us-east-1 (ECC_NIST_P256, SIGN_VERIFY) and a log group in us-east-1 with a resource policy for Route 53.")
        .provider(aws_provider(&[]))
        .file("main.tf", "trustchain/dns/main.tf")
        .var(name_var(32))
        .var(Variable::new("domain_name", "string", "Domain of the hosted zone.").default(Hcl::str(&s.platform.domain)))
        .var(
            Variable::new("service_hosts", "map(object({\n  hostname     = string\n  target       = string\n  health_check = optional(bool, false)\n}))", "Service host names under the domain; target is alb or nlb; health_check gives an ALB service a Route 53 health check on its healthy targets.")
                .default(hosts)
                .validate("alltrue([for h in values(var.service_hosts) : contains([\"alb\", \"nlb\"], h.target)])", "target must be alb or nlb."),
        )
        .var(Variable::new("alb_dns_name", "string", "DNS name of the ALB."))
        .var(Variable::new("alb_zone_id", "string", "Route 53 zone ID of the ALB."))
        .var(Variable::new("alb_arn_suffix", "string", "ARN suffix of the ALB (load_balancer output alb_arn_suffix), the CloudWatch dimension of the health alarms."))
        .var(Variable::new("alb_target_group_arn_suffixes", "map(string)", "ARN suffix of the ALB target group of each health-checked service (load_balancer output alb_target_group_arn_suffixes).").default(Hcl::object(Vec::<(String, Hcl)>::new())))
        .var(Variable::new("nlb_dns_names", "map(string)", "DNS names of the UDP/QUIC load balancers by key (load_balancer output nlb_dns_names)."))
        .var(Variable::new("nlb_zone_ids", "map(string)", "Zone IDs of the UDP/QUIC load balancers by key."))
        .var(Variable::new("service_nlb", "map(string)", "Load balancer key serving each UDP service (load_balancer output service_nlb)."))
        .var(
            Variable::new("nlb_record_type", "string", "Record type of the UDP/QUIC service names: AAAA for the dual-stack NLB, A for the IPv4 QUIC NLBs (load_balancer output nlb_record_type).")
                .default(Hcl::str("AAAA"))
                .validate("contains([\"A\", \"AAAA\"], var.nlb_record_type)", "nlb_record_type must be A or AAAA."),
        )
        .var(Variable::new("record_ttl", "number", "TTL of the CAA records.").default(Hcl::num(d.record_ttl)))
        .var(string_list("caa_issuers", "Certificate authorities allowed to issue for the domain (CAA issue records).").default(Hcl::strs(&d.caa_issuers)))
        .var(Variable::new("health_check_failure_threshold", "number", "Consecutive minutes without a healthy target before a service is unhealthy.").default(Hcl::num(d.health_check_failure_threshold)).validate("var.health_check_failure_threshold >= 1 && var.health_check_failure_threshold <= 10", "The failure threshold is 1 to 10."))
        .var(Variable::new("dnssec_kms_key_arn", "string", "Asymmetric KMS key in us-east-1 for DNSSEC signing; null leaves DNSSEC off.").default_null())
        .var(Variable::new("query_log_group_arn", "string", "CloudWatch log group in us-east-1 for query logs; null leaves query logging off.").default_null())
        .var(tags_var())
        .out("zone_id", "aws_route53_zone.this.zone_id", "ID of the hosted zone.")
        .out("name_servers", "aws_route53_zone.this.name_servers", "Name servers to delegate the domain to.")
        .out("service_fqdns", "{ for k, r in aws_route53_record.service : k => r.fqdn }", "FQDN of each service.")
        .out("health_check_ids", "{ for k, h in aws_route53_health_check.service : k => h.id }", "Route 53 health check IDs by service.")
        .finish()
}

pub(super) fn backup(s: &Spec) -> ModuleView {
    crate::platforms::shared::backup_module(P, &s.backup, "AWS Backup vault (KMS) and plan with 6-hourly, daily and weekly rules plus continuous backup, cross-region copy and 7-year retention.", &["S3"])
        .prose("Continuous backup (point-in-time restore for S3 and RDS) serves the document's 5-minute RPO; the 6-hourly, daily and weekly snapshots serve longer recovery windows, the weekly ones kept 7 years for the compliance requirement. Every recovery point is copied to the vault in the secondary region. A restore-testing plan restores the latest recovery points on a schedule (the document's automated backup validation).")
        .finish()
}
