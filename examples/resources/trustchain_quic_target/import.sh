# Import by TARGET_GROUP_ARN/TARGET_ID/PORT.
terraform import 'trustchain_quic_target.doq["a"]' arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/trustchain-doq-8853-a1b2c3/0123456789abcdef/i-0123456789abcdef0/8853
